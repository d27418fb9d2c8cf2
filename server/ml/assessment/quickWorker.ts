/** Worker thread: runs one quick assessment (quick.ts) for workerData and posts { result } or { error }. */
import { parentPort, workerData } from 'node:worker_threads';
import { quickAssessment, type QuickJob } from './quick';

quickAssessment(workerData as QuickJob).then(
  (result) => parentPort!.postMessage({ result }),
  (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
);
