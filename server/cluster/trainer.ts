/**
 * A trainer process (`npm run worker`): takes training jobs from the queue, as many at once as it
 * has slots, and runs each session with the same runner as the single-process mode
 * (server/realtime/sessions/runner.ts): its events go into the shared log, where every web node
 * reads them; the host's pause, resume, stop and learning rate come back the same way, whichever
 * node the host is on. Each epoch leaves a checkpoint under the shared outRoot, so when a trainer
 * dies, the queue hands the job to another (or the restarted) trainer, which resumes there.
 *
 * With a native backend (tfjs-node, tfjs-node-gpu) the runs train in this process's main thread:
 * the addon loads in one thread per process, and one accelerator wants one owning process. The
 * wasm and cpu backends train in worker threads, as in the single-process mode.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import { UserFacingError } from '../errors';
import { startTraining, type TrainingRun } from '../ml/training/run';
import type { Db } from '../db';
import { SessionAssessor } from '../realtime/sessions/assessor';
import type { SessionListener } from '../realtime/sessions/session';
import { SessionRegistry } from '../realtime/sessions/registry';
import { SessionStore } from '../realtime/sessions/records';
import { runSession } from '../realtime/sessions/runner';
import { closeRedis, connectRedis, type Redis } from './redis';
import { RedisSessionLog } from './sessionLog';
import { reportTrainer } from './trainers';
import { bullConnection, bullPrefix, TRAINING_QUEUE, TrainingJobSchema } from './trainingQueue';

export interface TrainerOptions {
  redisUrl: string;
  /** The playground's key prefix (DEFAULT_REDIS_PREFIX); tests use their own. */
  redisPrefix: string;
  /** Jobs at once: the accelerators or CPU slots this process owns. */
  slots: number;
  /** Where sessions' models and checkpoints go: a folder every trainer and web node reads. */
  outRoot: string;
  dataDir?: string;
  testLimit?: number;
  getDb: () => Promise<Db>;
  /** Assess each finished model (quick assessment); default true. */
  assess?: boolean;
  /** A trainer that stops renewing its lock for this long has died; its job goes to another. Default 30 s. */
  lockMs?: number;
  /** The backend this process's runs use, for the status panel. */
  backend: { name: string; simd?: boolean };
  /** Train in this process's main thread (one session at a time) instead of worker threads. */
  inProcess?: boolean;
}

/** A native backend trains in the process that loaded it; wasm and cpu in worker threads. */
export function trainsInProcess(backend: string): boolean {
  return backend === 'tfjs-node' || backend === 'tfjs-node-gpu';
}

export interface RunningTrainer {
  /** The sessions this trainer runs now. */
  running(): string[];
  close(): Promise<void>;
}

export async function startTrainer(options: TrainerOptions): Promise<RunningTrainer> {
  if (options.inProcess && options.slots !== 1)
    throw new UserFacingError(
      `A trainer that trains in its own process takes one session at a time (got ${options.slots} slots); start another trainer for more.`,
    );
  const redis = connectRedis(options.redisUrl, { name: 'trainer' });
  const reader = connectRedis(options.redisUrl, { name: 'trainer: sessions feed' });
  const log = new RedisSessionLog(redis, reader, options.redisPrefix);
  const quiet: SessionListener = { event() {}, presence() {}, changed() {} };
  const runs = new Map<string, TrainingRun>();
  const registry = new SessionRegistry(quiet, {
    outRoot: options.outRoot,
    dataDir: options.dataDir,
    testLimit: options.testLimit,
    store: new SessionStore(options.getDb),
    assessor:
      options.assess === false ? undefined : new SessionAssessor({ getDb: options.getDb, dataDir: options.dataDir }),
    shared: log,
    abandonAfterMs: null, // it sees no viewers: the web nodes close abandoned sessions
    slots: () => ({
      start: () => Promise.reject(new Error('a trainer takes jobs; it does not start sessions')),
      stopped: () => undefined,
      close: async () => {
        await Promise.all([...runs.values()].map((r) => r.terminate()));
      },
    }),
  });
  // Follow the shared log before taking jobs: the runs obey the host's commands read from it.
  await registry.ready();

  const worker = new Worker(
    TRAINING_QUEUE,
    async (job) => {
      const { sessionId } = TrainingJobSchema.parse(job.data);
      const session = await registry.get(sessionId);
      if (!session) throw new Error(`there is no session ${sessionId} in the shared log`);
      if (session.ended) return { state: session.state }; // stopped while it waited
      const run = startTraining(
        {
          ...registry.trainingConfig(session),
          checkpointDir: path.join(options.outRoot, sessionId, 'checkpoint'),
          resume: true,
        },
        { inProcess: options.inProcess },
      );
      runs.set(sessionId, run);
      const done = runSession(session, run, registry.runnerDeps());
      try {
        if (session.state === 'queued') await session.transition('admit', null);
        else {
          // A job another trainer held when it died: this run resumes at the last checkpoint.
          console.log(
            `[trainer] ${sessionId}: taking over (attempt ${job.attemptsMade + 1}), from the last checkpoint`,
          );
          if (session.state === 'paused') run.pause();
        }
      } catch (err) {
        run.stop(); // stopped meanwhile
        console.log(`[trainer] ${sessionId}: ${(err as Error).message}`);
      }
      await done;
      runs.delete(sessionId);
      // Cut short by this trainer's own shutdown: the job goes back to the queue for another trainer.
      if (closing) throw new Error('the trainer was shut down');
      return { state: session.state };
    },
    {
      connection: bullConnection(redis),
      prefix: bullPrefix(options.redisPrefix),
      concurrency: options.slots,
      lockDuration: options.lockMs ?? 30_000,
      stalledInterval: options.lockMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (err) => console.error('[trainer] queue:', err.message));
  await worker.waitUntilReady();
  const report = reportTrainer(
    redis,
    options.redisPrefix,
    {
      id: randomBytes(6).toString('hex'),
      host: os.hostname(),
      pid: process.pid,
      backend: options.backend.name,
      ...(options.backend.simd !== undefined && { simd: options.backend.simd }),
      training: options.inProcess ? 'in-process' : 'worker threads',
      slots: options.slots,
      startedAt: new Date().toISOString(),
    },
    () => [...runs.keys()],
  );
  let closing = false;
  return {
    running: () => [...runs.keys()],
    async close() {
      closing = true;
      await report.stop();
      await registry.close(); // ends the runs: their jobs fail and are retried by another trainer
      await worker.close();
      await log.close();
      await closeRedis(redis, reader);
    },
  };
}

export type { Redis };
