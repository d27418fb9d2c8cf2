/**
 * The page timer of `npm run bench:abuse`, in a worker thread of its own so the attack clients'
 * work in the benchmark's main thread does not delay its clock: GETs the pages one after another
 * (a pause between), reads each body to the end, and files every time under the phase the
 * benchmark last named (`{ phase }` messages); `{ stop: true }` answers with every sample.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface ProbeData {
  url: string;
  paths: string[];
  pauseMs: number;
}

export interface PageSample {
  phase: string;
  path: string;
  ms: number;
  /** HTTP status, 0 when the request failed. */
  status: number;
}

export type ProbeMessage = { phase: string } | { stop: true };

const { url, paths, pauseMs } = workerData as ProbeData;
const samples: PageSample[] = [];
let phase = 'warm-up';
let running = true;

// On stop, the request under way is finished and counted first: a page that hangs counts.
parentPort!.on('message', (m: ProbeMessage) => {
  if ('phase' in m) phase = m.phase;
  else running = false;
});

for (let i = 0; running; i++) {
  const path = paths[i % paths.length]!;
  const at = phase;
  const started = performance.now();
  let status = 0;
  try {
    const res = await fetch(url + path, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    status = res.status;
  } catch {
    status = 0;
  }
  samples.push({ phase: at, path, ms: performance.now() - started, status });
  if (running) await new Promise((r) => setTimeout(r, pauseMs));
}
parentPort!.postMessage(samples);
