/**
 * The event-loop lag of `npm run bench:realtime`, measured the same way in the benchmark's own
 * process (one node), inside each web node it starts as a child process (--nodes N) and in the
 * clients' thread; with it the share of the time the loop was busy (a loop busy nearly all the
 * time is the bottleneck: what waits for it waits in its queue).
 */
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** Lag below the monitor's own timer resolution is not lag. */
export const LAG_RESOLUTION_MS = 5;

/** Lag in ms, the monitor's resolution already taken off. */
export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
  /** Share of the time the event loop was busy (0 to 1), of this thread only. */
  busy: number;
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
  let since: EventLoopUtilization | undefined;
  return {
    start() {
      histogram.reset();
      histogram.enable();
      since = performance.eventLoopUtilization();
    },
    stop() {
      histogram.disable();
      return {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        busy: since ? performance.eventLoopUtilization(since).utilization : Number.NaN,
      };
    },
  };
}
