/**
 * Worker threads running TypeScript modules: the training replicas (and any other CPU work that
 * must stay off the thread serving sockets). Works under tsx, Vitest and the production server.
 */
import { Worker } from 'node:worker_threads';

const ENTRY = new URL('./ts-worker-entry.mjs', import.meta.url);

/** Starts `module` (a .ts file URL) in a worker; `data` arrives as its workerData. */
export function spawnTsWorker(module: URL, data: object): Worker {
  return new Worker(ENTRY, { workerData: { ...data, __tsEntry: module.href } });
}
