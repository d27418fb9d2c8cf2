/**
 * Every training session of the server, and the capacity queue: at most `maxTraining` sessions
 * hold a training run at once (training or paused); a session started while all slots are taken
 * waits in a visible queue and is admitted first-come first-served when one frees. The registry
 * starts runs (worker threads, never this thread), saves the finished model, and stores each
 * session so it replays after a restart.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../../errors';
import { startTraining, type TrainingResult, type TrainingRun } from '../../ml/training/run';
import type { SessionConfig, SessionSummary } from '../../../lib/protocol';
import { assertHost } from './identity';
import type { SessionAssessor } from './assessor';
import type { SessionStore } from './records';
import { TrainingSession, type SessionListener } from './session';
import { nextState, type HostAction } from '../../../lib/sessions/stateMachine';
import { DEFAULT_TEST_LIMIT, probeImages, snapshotDirOf, trainingConfigFor } from './trainingConfig';

export interface SessionRegistryOptions {
  /** Sessions training (or paused) at once; default 1 (a 2-core machine). */
  maxTraining?: number;
  /** Sessions not yet ended, at most; creating more is refused. */
  maxOpen?: number;
  /** Folder with the Fashion-MNIST IDX files; unset: the usual resolution. */
  dataDir?: string;
  /** Where each session's model goes (`<root>/<id>/model`). */
  outRoot: string;
  /** Test images per epoch evaluation; default per kind (DEFAULT_TEST_LIMIT). */
  testLimit?: number;
  /** Ended sessions kept listed in memory (older ones still load from the database on demand). */
  keepEnded?: number;
  /** A session nobody started and nobody watches is closed after this long (ms); default 15 min. */
  abandonAfterMs?: number;
  store?: SessionStore;
  /** Assesses each finished session's model in a worker and stores the result (none: no assessment). */
  assessor?: SessionAssessor;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly runs = new Map<string, TrainingRun>();
  private readonly queue: TrainingSession[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly maxTraining: number;
  private readonly maxOpen: number;
  private readonly keepEnded: number;
  private closed = false;
  private restored: Promise<void> | undefined;
  private readonly sweeper: NodeJS.Timeout;

  private readonly listener: SessionListener;

  constructor(
    outer: SessionListener,
    private readonly options: SessionRegistryOptions,
  ) {
    // Each epoch is stored as it comes, so a restart loses at most the epoch in progress.
    this.listener = {
      ...outer,
      event: (session, event) => {
        outer.event(session, event);
        if (event.type === 'epoch') void this.save(session);
      },
    };
    this.maxTraining = Math.max(1, options.maxTraining ?? 1);
    this.maxOpen = options.maxOpen ?? 50;
    this.keepEnded = options.keepEnded ?? 30;
    const abandonAfterMs = options.abandonAfterMs ?? 15 * 60_000;
    // Without this, sessions created and left would use up the open-session limit for good.
    this.sweeper = setInterval(() => this.closeAbandoned(abandonAfterMs), Math.min(60_000, abandonAfterMs));
    this.sweeper.unref();
  }

  /**
   * Resolves once the stored sessions of earlier runs of the server are listed (and those a restart
   * cut short are marked failed); a database that is down leaves the list empty, not broken.
   */
  ready(): Promise<void> {
    this.restored ??= (async () => {
      const store = this.options.store;
      if (!store) return;
      await store.markInterrupted();
      for (const stored of (await store.recent(this.keepEnded)).reverse()) {
        if (!this.sessions.has(stored.id)) this.sessions.set(stored.id, TrainingSession.restore(stored, this.listener));
      }
    })().catch((err: unknown) => {
      console.error('[sessions] could not list the stored sessions:', err instanceof Error ? err.message : err);
    });
    return this.restored;
  }

  async create(config: SessionConfig, host: { identity: string; nickname: string }): Promise<TrainingSession> {
    if (this.closed) throw new UserFacingError('The server is shutting down; create the session again in a moment.');
    const open = [...this.sessions.values()].filter((s) => !s.ended).length;
    if (open >= this.maxOpen) {
      throw new UserFacingError(`There are already ${open} open sessions; join one of them or wait until some finish.`);
    }
    await this.ready(); // its row must not be taken for one a restart cut short
    const id = randomBytes(6).toString('hex');
    const session = new TrainingSession(
      { id, config, hostIdentity: host.identity, hostNickname: host.nickname },
      this.listener,
    );
    if (config.kind === 'cnn') {
      // Before anyone can join, so every viewer's page gets the pictures the predictions refer to.
      session.probeImages = await probeImages(this.trainingConfig(session)).catch((err: unknown) => {
        console.error(`[sessions] probe images of ${id}:`, err instanceof Error ? err.message : err);
        return [];
      });
    }
    this.sessions.set(id, session);
    this.save(session);
    this.forgetOldEnded();
    this.listener.changed(session, true);
    return session;
  }

  /** A session by id: a live one, else a stored one (loaded once); undefined when there is none. */
  async get(id: string): Promise<TrainingSession | undefined> {
    const live = this.sessions.get(id);
    if (live) return live;
    const stored = await this.options.store?.load(id).catch(() => null);
    if (!stored) return undefined;
    const session = this.sessions.get(id) ?? TrainingSession.restore(stored, this.listener);
    this.sessions.set(id, session);
    return session;
  }

  /** A session already in memory (no database lookup). */
  peek(id: string): TrainingSession | undefined {
    return this.sessions.get(id);
  }

  /** Every session in memory, newest first (await `ready()` first for the stored ones). */
  list(): SessionSummary[] {
    return [...this.sessions.values()].map((s) => s.summary()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** A host's start, pause, resume or stop; refused with a reason for anyone else or in the wrong state. */
  control(session: TrainingSession, action: HostAction, identity: string, by: string): TrainingSession['state'] {
    assertHost(session, identity, action);
    const run = this.runs.get(session.id);
    switch (action) {
      case 'start':
        nextState(session.state, 'start'); // refuses with the reason when it cannot start
        if (this.runs.size < this.maxTraining) return this.begin(session, by);
        session.transition('queue', by, 'Waiting for a free training slot.');
        this.queue.push(session);
        this.updateQueuePositions();
        return session.state;
      case 'pause':
        session.transition('pause', by);
        run?.pause();
        return session.state;
      case 'resume':
        session.transition('resume', by);
        run?.resume();
        return session.state;
      case 'stop': {
        const state = session.transition('stop', by);
        const queued = this.queue.indexOf(session);
        if (queued >= 0) {
          this.queue.splice(queued, 1);
          this.updateQueuePositions();
        }
        if (run)
          run.stop(); // the slot frees when the run has ended (see begin)
        else this.save(session);
        return state;
      }
    }
  }

  /** The host replaces the learning rate (from the next step on) while training or paused. */
  setLearningRate(session: TrainingSession, lr: number, identity: string, by: string): number {
    assertHost(session, identity, 'change the learning rate of');
    const run = this.runs.get(session.id);
    if (!run || (session.state !== 'training' && session.state !== 'paused')) {
      throw new UserFacingError('The learning rate can be changed only while the session is training or paused.');
    }
    run.setLearningRate(lr);
    session.recordLearningRate(lr, by);
    return lr;
  }

  /**
   * The session's newest weights snapshot (VAE sessions, after a finished epoch): the one its run
   * reported, else (a session stored by an earlier server process) the newest on disk.
   */
  async latestSnapshot(session: TrainingSession): Promise<{ epoch: number; dir: string } | null> {
    if (session.snapshot) return session.snapshot;
    const root = snapshotDirOf(path.join(this.options.outRoot, session.id, 'model'));
    const names = await readdir(root).catch(() => [] as string[]);
    const epochs = names
      .map((n) => /^epoch-(\d+)$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
    if (epochs.length === 0) return null;
    const epoch = Math.max(...epochs);
    return { epoch, dir: path.join(root, `epoch-${epoch}`) };
  }

  /** Waits for pending database writes and probe loading (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
    await this.options.store?.flush();
  }

  /** Ends every run at once (server shutdown) and stops taking new sessions. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await this.options.assessor?.close();
    await Promise.all([...this.runs.values()].map((r) => r.terminate()));
    for (const s of this.sessions.values()) s.close();
    // Not settle(): a run terminated before its worker was online never settles `done`.
    await this.options.store?.flush();
  }

  private trainingConfig(session: TrainingSession) {
    return trainingConfigFor(session.config, {
      sessionId: session.id,
      dataDir: this.options.dataDir,
      outDir: path.join(this.options.outRoot, session.id, 'model'),
      testLimit: this.options.testLimit ?? DEFAULT_TEST_LIMIT[session.config.kind],
    });
  }

  /** Starts the session's run in a free slot; the slot frees when the run has ended. */
  private begin(session: TrainingSession, by: string | null): TrainingSession['state'] {
    let run: TrainingRun;
    try {
      run = startTraining(this.trainingConfig(session));
    } catch (err) {
      const message =
        err instanceof UserFacingError ? err.message : 'The training could not start; the server log has the details.';
      if (!(err instanceof UserFacingError)) console.error(`[sessions] ${session.id} could not start:`, err);
      session.transition('fail', null, message);
      this.save(session);
      return session.state;
    }
    this.runs.set(session.id, run);
    session.transition(session.state === 'queued' ? 'admit' : 'start', by);
    session.attachRun(run);
    this.save(session);
    this.track(
      run.done.then(
        (result) => this.ended(session, result, null),
        (err: unknown) => this.ended(session, null, sentence(err instanceof Error ? err.message : String(err))),
      ),
    );
    return session.state;
  }

  private async ended(session: TrainingSession, result: TrainingResult | null, failure: string | null): Promise<void> {
    this.runs.delete(session.id);
    if (this.closed) return;
    try {
      if (failure !== null) {
        if (!session.ended) session.transition('fail', null, failure);
      } else if (result && result.reason === 'completed' && !session.ended) {
        await this.saveModel(session, result);
        session.transition('complete', null);
      }
      await this.save(session);
    } finally {
      this.admitNext();
    }
  }

  private async saveModel(session: TrainingSession, result: TrainingResult): Promise<void> {
    const outDir = result.outDir ?? null;
    if (!outDir || !this.options.store) {
      session.recordSaved(null, outDir, outDir ? null : 'The run saved no model.');
      return;
    }
    try {
      const id = await this.options.store.registerModel(session, outDir, result.log);
      session.recordSaved(id, outDir, null);
      // Not tracked by settle(): the assessment takes seconds and the session does not wait for it.
      void this.options.assessor?.assess({
        sessionId: session.id,
        kind: session.config.kind,
        modelDir: outDir,
        modelVersionId: id,
      });
    } catch (err) {
      console.error(`[sessions] could not register the model of ${session.id}:`, err);
      session.recordSaved(null, outDir, 'The model was saved but could not be registered in the database.');
    }
  }

  private admitNext(): void {
    while (!this.closed && this.runs.size < this.maxTraining) {
      const next = this.queue.shift();
      if (!next) break;
      if (next.state === 'queued') this.begin(next, null);
    }
    this.updateQueuePositions();
  }

  private updateQueuePositions(): void {
    this.queue.forEach((s, i) => s.setQueuePosition(i + 1));
  }

  private save(session: TrainingSession): Promise<void> {
    return this.options.store ? this.track(this.options.store.save(session)) : Promise.resolve();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private closeAbandoned(afterMs: number): void {
    const now = Date.now();
    for (const s of this.sessions.values()) {
      if (s.state === 'waiting' && s.presence.size === 0 && now - s.createdAt.getTime() > afterMs) {
        const within = afterMs >= 60_000 ? `${Math.round(afterMs / 60_000)} minutes` : `${afterMs / 1000} seconds`;
        s.transition('stop', null, `Closed: nobody started it within ${within}.`);
        void this.save(s);
      }
    }
  }

  /** Keeps memory bounded: the oldest ended sessions leave the list (they still load by id). */
  private forgetOldEnded(): void {
    const ended = [...this.sessions.values()].filter((s) => s.ended && s.presence.size === 0);
    for (const s of ended.slice(0, Math.max(0, ended.length - this.keepEnded))) {
      s.close();
      this.sessions.delete(s.id);
    }
  }
}

/** A run's failure as viewers read it: "the loss became NaN ..." -> "The loss became NaN ...". */
function sentence(message: string): string {
  const trimmed = message.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? '' : '.');
}
