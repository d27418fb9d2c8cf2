/**
 * The event-loop lag of `npm run bench:realtime`, measured the same way in the benchmark's own
 * process (one node) and inside each web node it starts as a child process (--nodes N).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Lag below the monitor's own timer resolution is not lag. */
export const LAG_RESOLUTION_MS = 5;

/** Lag in ms, the monitor's resolution already taken off. */
export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
}

export interface LagMonitor {
  /** Forgets what it measured so far and measures from now on. */
  start(): void;
  /** Stops measuring; the figures since start(). */
  stop(): LagFigures;
}

export function lagMonitor(): LagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
  return {
    start() {
      histogram.reset();
      histogram.enable();
    },
    stop() {
      histogram.disable();
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
    },
  };
}
