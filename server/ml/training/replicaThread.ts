/** A training replica in a worker thread (spawned by run.ts): the loop of replica.ts on the worker's port. */
import { parentPort, workerData } from 'node:worker_threads';
import { type ReplicaData, runReplica } from './replica';

await runReplica(workerData as ReplicaData, parentPort!);
