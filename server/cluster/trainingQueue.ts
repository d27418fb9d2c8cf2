/**
 * Training as jobs, for several machines: a web node's start puts the session in the queue
 * (state `queued`, "Waiting for a free trainer.") and adds a BullMQ job; a trainer process
 * (trainer.ts, `npm run worker`) takes it. A job that fails for good (a trainer that died more
 * often than the queue allows, or could not run it at all) fails its session with the reason, so
 * viewers see why; every web node listens, and the state machine's check in the shared log lets
 * exactly one of them record it.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SessionState } from '../../lib/protocol';
import type { SessionRegistry } from '../realtime/sessions/registry';
import type { TrainingSession } from '../realtime/sessions/session';
import type { TrainingSlots } from '../realtime/sessions/slots';

export const TRAINING_QUEUE = 'training';
export const TrainingJobSchema = z.object({ sessionId: z.string().regex(/^[0-9a-f]{12}$/) });
/** A trainer that dies is replaced this many times per job (each resumes at the last checkpoint). */
export const JOB_ATTEMPTS = 3;

/** BullMQ wants its own connections, with no per-command retry limit (it blocks on them). */
export const bullConnection = (redis: Redis) => redis.duplicate({ maxRetriesPerRequest: null });
/** BullMQ's keys live under the playground's prefix too (`fmp:bull:training:...`). */
export const bullPrefix = (redisPrefix: string) => `${redisPrefix}bull`;
/** A job id may not be a number, and a session id may be all digits. */
export const jobIdOf = (sessionId: string) => `session-${sessionId}`;

export class QueueSlots implements TrainingSlots {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  /** Sessions this node shows a queue position for. */
  private readonly positioned = new Set<string>();
  private refreshing: NodeJS.Timeout | undefined;

  constructor(redis: Redis, redisPrefix: string, registry: SessionRegistry) {
    const prefix = bullPrefix(redisPrefix);
    this.queue = new Queue(TRAINING_QUEUE, { connection: bullConnection(redis), prefix });
    this.events = new QueueEvents(TRAINING_QUEUE, { connection: bullConnection(redis), prefix });
    this.queue.on('error', (err) => console.error('[trainers] queue:', err.message));
    this.events.on('error', (err) => console.error('[trainers] queue events:', err.message));
    this.events.on('failed', ({ jobId, failedReason }) => {
      void this.failed(registry, jobId, failedReason).catch(() => undefined);
    });
    // Every node shows each waiting session's place in the queue, kept up as jobs come and go.
    for (const event of ['waiting', 'active', 'removed', 'failed', 'completed'] as const)
      this.events.on(event, () => this.refreshPositions(registry));
  }

  /** The waiting jobs' order (oldest first, as trainers take them) as queue positions, soon. */
  private refreshPositions(registry: SessionRegistry): void {
    this.refreshing ??= setTimeout(() => {
      this.refreshing = undefined;
      void this.queue
        .getJobs(['waiting'], 0, -1, true)
        .then((jobs) => {
          const now = new Set<string>();
          jobs.forEach((job, i) => {
            const id = TrainingJobSchema.safeParse(job?.data).data?.sessionId;
            const session = id ? registry.peek(id) : undefined;
            if (!id || !session || session.state !== 'queued') return;
            session.setQueuePosition(i + 1);
            now.add(id);
          });
          for (const id of this.positioned) if (!now.has(id)) registry.peek(id)?.setQueuePosition(null);
          this.positioned.clear();
          for (const id of now) this.positioned.add(id);
        })
        .catch(() => undefined);
    }, 200);
  }

  async start(session: TrainingSession, by: string): Promise<SessionState> {
    const state = await session.transition('queue', by, 'Waiting for a free trainer.');
    await this.queue.add(
      'train',
      { sessionId: session.id },
      {
        jobId: jobIdOf(session.id),
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
    return state;
  }

  stopped(session: TrainingSession): void {
    // A job still waiting goes; one a trainer holds ends by itself (its run follows the stop).
    void this.queue.remove(jobIdOf(session.id)).catch(() => undefined);
  }

  async close(): Promise<void> {
    clearTimeout(this.refreshing);
    await Promise.all([this.events.close(), this.queue.close()]);
  }

  /** Waiting jobs, for the status panel and the tests. */
  waiting(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  private async failed(registry: SessionRegistry, jobId: string, reason: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (job && (await job.getState()) !== 'failed') return; // it will be tried again
    const sessionId = jobId.replace(/^session-/, '');
    const session = await registry.get(sessionId);
    if (!session || session.ended) return;
    await session.transition(
      'fail',
      null,
      `The training could not go on: ${reason.replace(/\.$/, '')}. Create a new session to train again.`,
    );
  }
}
