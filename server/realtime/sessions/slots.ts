/**
 * Where sessions train. The single-process default, `LocalSlots`: at most `maxTraining` runs in
 * this process's worker threads at once (training or paused); a session started while all slots
 * are taken waits in a visible queue and is admitted first-come first-served when one frees. With
 * several machines the slots are trainer processes taking jobs from a queue instead
 * (server/cluster/trainingQueue.ts); both run a session with the same runner (runner.ts).
 */
import { UserFacingError } from '../../errors';
import { startTraining, type TrainingRun } from '../../ml/training/run';
import type { TrainingConfig } from '../../ml/training/config';
import type { SessionState } from '../../../lib/protocol';
import { INTERRUPTED_MESSAGE } from './records';
import { runSession, type RunnerDeps } from './runner';
import type { TrainingSession } from './session';
import type { RoundOwners } from '../../cluster/roundOwners';

export interface TrainingSlots {
  /** Trains the session now, or queues it; resolves with its state then. */
  start(session: TrainingSession, by: string): Promise<SessionState>;
  /** A session stopped by its host: it leaves the queue (a run stops by itself: it follows the state). */
  stopped(session: TrainingSession): void;
  /** Ends every run at once (shutdown). */
  close(): Promise<void>;
}

export class LocalSlots implements TrainingSlots {
  /** The sessions training here, by id, with their runs. */
  private readonly running = new Map<string, { session: TrainingSession; run: TrainingRun }>();
  private readonly queue: TrainingSession[] = [];

  constructor(
    private readonly maxTraining: number,
    private readonly configOf: (session: TrainingSession) => TrainingConfig,
    private readonly deps: RunnerDeps & {
      track<T>(p: Promise<T>): Promise<T>;
      /**
       * Several machines (TRAINERS=local): this node holds a key for each session it runs or
       * queues, taken before the session says so in the shared log and freed when it ends, so the
       * other nodes fail the sessions of a node that has gone (registry.ts).
       */
      runners?: Pick<RoundOwners, 'claim' | 'release'>;
    },
  ) {}

  async start(session: TrainingSession, by: string): Promise<SessionState> {
    await this.deps.runners?.claim(session.id);
    try {
      if (this.running.size < this.maxTraining) return await this.begin(session, by);
      const state = await session.transition('queue', by, 'Waiting for a free training slot.');
      this.queue.push(session);
      this.updateQueuePositions();
      return state;
    } catch (err) {
      // Refused (e.g. a second start that lost the race to the first): the key stays while the
      // session runs or waits here.
      if (!this.running.has(session.id) && !this.queue.includes(session)) this.release(session);
      throw err;
    }
  }

  stopped(session: TrainingSession): void {
    const queued = this.queue.indexOf(session);
    if (queued < 0) return;
    this.queue.splice(queued, 1);
    this.release(session);
    this.updateQueuePositions();
  }

  private release(session: TrainingSession): void {
    void this.deps.runners?.release(session.id).catch(() => undefined);
  }

  /**
   * Its sessions end failed first, saying why, as a restart marks them in one process
   * (SessionStore.markInterrupted): with several machines that runs only for the shared log's
   * sessions, which would otherwise stay training or queued for good on every node.
   */
  async close(): Promise<void> {
    const cut = [...[...this.running.values()].map((r) => r.session), ...this.queue.splice(0)];
    await Promise.all(
      cut.map(async (session) => {
        try {
          await session.transition('fail', null, INTERRUPTED_MESSAGE);
          await this.deps.save(session);
        } catch {
          // ended meanwhile, or the shared log is away: nothing more to say
        }
      }),
    );
    await Promise.all([...this.running.values()].map((r) => r.run.terminate()));
  }

  /** Starts the session's run in a free slot; the slot frees when the run has ended. */
  private async begin(session: TrainingSession, by: string | null): Promise<SessionState> {
    let run: TrainingRun;
    try {
      run = startTraining(this.configOf(session));
    } catch (err) {
      const message =
        err instanceof UserFacingError ? err.message : 'The training could not start; the server log has the details.';
      if (!(err instanceof UserFacingError)) console.error(`[sessions] ${session.id} could not start:`, err);
      const state = await session.transition('fail', null, message);
      void this.deps.save(session);
      this.release(session);
      return state;
    }
    this.running.set(session.id, { session, run });
    this.deps.track(
      runSession(session, run, this.deps).finally(() => {
        this.running.delete(session.id);
        this.release(session);
        this.admitNext();
      }),
    );
    try {
      // The run's first events come from its worker later, so the state event is numbered first.
      const state = await session.transition(session.state === 'queued' ? 'admit' : 'start', by);
      void this.deps.save(session);
      return state;
    } catch (err) {
      run.stop();
      throw err;
    }
  }

  private admitNext(): void {
    while (!this.deps.closing() && this.running.size < this.maxTraining) {
      const next = this.queue.shift();
      if (!next) break;
      if (next.state === 'queued')
        void this.begin(next, null).catch((err: unknown) =>
          console.error(`[sessions] ${next.id} could not be admitted:`, err instanceof Error ? err.message : err),
        );
      else this.release(next); // stopped meanwhile, from another node
    }
    this.updateQueuePositions();
  }

  private updateQueuePositions(): void {
    this.queue.forEach((s, i) => s.setQueuePosition(i + 1));
  }
}
