// Entry of every worker thread: registers tsx inside the worker (hooks given to a worker through
// execArgv do not reach its first module on Node 20), then loads the TypeScript module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__tsEntry);
