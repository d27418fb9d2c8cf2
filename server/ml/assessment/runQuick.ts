/** Runs one quick assessment (quick.ts) in a worker thread, off the thread that serves sockets. */
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../../threads/spawn';
import type { QuickJob } from './quick';

export function runQuickInWorker(
  job: QuickJob,
  started: (w: Worker) => void = () => {},
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const worker = spawnTsWorker(new URL('./quickWorker.ts', import.meta.url), job);
    started(worker);
    worker.once('message', (msg: { result?: Record<string, unknown>; error?: string }) => {
      void worker.terminate();
      if (msg.result) resolve(msg.result);
      else reject(new Error(msg.error ?? 'the assessment worker sent nothing'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the assessment worker stopped (exit code ${code})`)));
  });
}
