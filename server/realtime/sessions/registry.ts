/**
 * Every training session a process knows, and the rules around them: who may do what, how many may
 * be open, the lobby's list, restoring stored sessions after a restart, closing abandoned ones.
 * Where sessions train is the slots' business (slots.ts: this process's threads; with several
 * machines, trainer processes behind a queue). With several machines every web node holds a copy
 * of every live session, kept up to date from the shared log (feed.ts), so any node can serve any
 * viewer and take any host's command.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../../errors';
import { PRIOR_FILE } from '../../ml/models/classPrior';
import type { SessionConfig, SessionEvent, SessionState, SessionSummary } from '../../../lib/protocol';
import type { RoundOwners } from '../../cluster/roundOwners';
import { assertHost } from './identity';
import type { SessionAssessor } from './assessor';
import type { SharedSessionLog, SharedSessionRecord } from './feed';
import { RUNNER_LOST_MESSAGE, type SessionStore } from './records';
import { LocalSlots, type TrainingSlots } from './slots';
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
  /**
   * A session nobody started and nobody watches is closed after this long (ms); default 15 min.
   * null: never (a trainer process, which sees no viewers).
   */
  abandonAfterMs?: number | null;
  store?: SessionStore;
  /** Assesses each finished session's model in a worker and stores the result (none: no assessment). */
  assessor?: SessionAssessor;
  /** Several machines: the shared log every process follows (server/cluster/sessionLog.ts). */
  shared?: SharedSessionLog;
  /** Where sessions train; default this process's worker threads (LocalSlots with maxTraining). */
  slots?: (registry: SessionRegistry) => TrainingSlots;
  /**
   * Several machines whose web nodes train in their own threads (TRAINERS=local): a key per session
   * this node runs, renewed while it does; a session whose key has gone at two checks in a row
   * (its node killed, or cut off from Redis) is failed, saying why.
   */
  runners?: RoundOwners;
}

/** States in which a session has a runner (training, paused) or waits in a node's own queue. */
const HAS_RUNNER: ReadonlySet<SessionState> = new Set(['training', 'paused', 'queued']);

export class SessionRegistry {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Several machines: each session's deliveries, one after another (a gap is filled before what follows). */
  private readonly inbox = new Map<string, Promise<void>>();
  private readonly maxOpen: number;
  private readonly keepEnded: number;
  private readonly slots: TrainingSlots;
  private closed = false;
  private restored: Promise<void> | undefined;
  /** A host's nickname as others see it in sentences (a moderator may have hidden it); default as it is. */
  shownNickname: (nickname: string) => string = (name) => name;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly runnerCheck: NodeJS.Timeout | undefined;
  /** Sessions whose runner key was missing at the last check. */
  private runnerMissing = new Set<string>();
  /** Sessions whose runner key this node has seen (ids; a few per session started). */
  private readonly runnerSeen = new Set<string>();

  constructor(
    private readonly listener: SessionListener,
    private readonly options: SessionRegistryOptions,
  ) {
    this.maxOpen = options.maxOpen ?? 50;
    this.keepEnded = options.keepEnded ?? 30;
    this.slots =
      options.slots?.(this) ??
      new LocalSlots(Math.max(1, options.maxTraining ?? 1), (s) => this.trainingConfig(s), {
        ...this.runnerDeps(),
        runners: options.runners,
      });
    const abandonAfterMs = options.abandonAfterMs === undefined ? 15 * 60_000 : options.abandonAfterMs;
    // Without this, sessions created and left would use up the open-session limit for good.
    if (abandonAfterMs !== null) {
      this.sweeper = setInterval(() => this.closeAbandoned(abandonAfterMs), Math.min(60_000, abandonAfterMs));
      this.sweeper.unref();
    }
    if (options.runners) {
      this.runnerCheck = setInterval(() => void this.failRunnerless(), options.runners.ttlMs);
      this.runnerCheck.unref();
    }
  }

  /** What a runner of this process needs (its slots, or a trainer's jobs). */
  runnerDeps() {
    return {
      store: this.options.store,
      assessor: this.options.assessor,
      closing: () => this.closed,
      save: (session: TrainingSession) => this.save(session),
      track: <T>(p: Promise<T>) => this.track(p),
    };
  }

  /**
   * Resolves once the stored sessions of earlier runs of the server are listed (and, in one
   * process, those a restart cut short are marked failed; with several machines a trainer still
   * runs them); a database that is down leaves the list empty, not broken.
   */
  ready(): Promise<void> {
    this.restored ??= (async () => {
      const shared = this.options.shared;
      if (shared) {
        await shared.follow({
          created: (record) => this.adopt(record),
          event: (id, event) => this.deliver(id, event),
        });
        for (const record of (await shared.recent(this.keepEnded)).reverse()) this.adopt(record);
      }
      const store = this.options.store;
      if (!store) return;
      if (!shared) await store.markInterrupted();
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
    await this.ready(); // its row must not be taken for one a restart cut short
    const open = [...this.sessions.values()].filter((s) => !s.ended).length;
    if (open >= this.maxOpen) {
      throw new UserFacingError(`There are already ${open} open sessions; join one of them or wait until some finish.`);
    }
    const id = randomBytes(6).toString('hex');
    const init = { id, config, hostIdentity: host.identity, hostNickname: host.nickname, createdAt: new Date() };
    // Before anyone can join, so every viewer's page gets the pictures the predictions refer to.
    const probes =
      config.kind === 'cnn'
        ? await probeImages(this.trainingConfig({ id, config })).catch((err: unknown) => {
            console.error(`[sessions] probe images of ${id}:`, err instanceof Error ? err.message : err);
            return [];
          })
        : [];
    const shared = this.options.shared;
    const session = shared
      ? TrainingSession.shared({ init: { ...init, probeImages: probes }, history: [] }, this.listener, shared)
      : new TrainingSession({ ...init, probeImages: probes }, this.listener);
    this.sessions.set(id, session);
    if (shared) await shared.create(session);
    void this.save(session);
    this.forgetOldEnded();
    this.listener.changed(session, true);
    return session;
  }

  /** A session by id: a live one, else a stored one (loaded once); undefined when there is none. */
  async get(id: string): Promise<TrainingSession | undefined> {
    const live = this.sessions.get(id);
    if (live) return live;
    // Right after a restart a stored row may still say "training": it is marked interrupted first.
    await this.ready();
    const listed = this.sessions.get(id);
    if (listed) return listed;
    const record = await this.options.shared?.load(id).catch(() => null);
    if (record) return this.adopt(record);
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
  async control(
    session: TrainingSession,
    action: HostAction,
    identity: string,
    by: string,
  ): Promise<TrainingSession['state']> {
    assertHost(session, identity, action, this.shownNickname);
    switch (action) {
      case 'start':
        nextState(session.state, 'start'); // refuses with the reason when it cannot start
        return this.slots.start(session, by);
      case 'pause':
      case 'resume':
        // The run follows the session's state (runner.ts), wherever it trains.
        return session.transition(action, by);
      case 'stop': {
        const running = session.state === 'training' || session.state === 'paused';
        const state = await session.transition('stop', by);
        this.slots.stopped(session);
        if (!running) void this.save(session); // a run stores its session itself when it has ended
        return state;
      }
    }
  }

  /** The host replaces the learning rate (from the next step on) while training or paused. */
  async setLearningRate(session: TrainingSession, lr: number, identity: string, by: string): Promise<number> {
    assertHost(session, identity, 'change the learning rate of', this.shownNickname);
    if (session.state !== 'training' && session.state !== 'paused') {
      throw new UserFacingError('The learning rate can be changed only while the session is training or paused.');
    }
    await session.recordLearningRate(lr, by); // the run follows the session's lr events
    return lr;
  }

  /**
   * The session's newest weights snapshot (VAE sessions, after a finished epoch): the one its run
   * reported, else (a session trained by another process) the newest whole one on disk.
   */
  async latestSnapshot(session: TrainingSession): Promise<{ epoch: number; dir: string } | null> {
    if (session.snapshot) return session.snapshot;
    const root = snapshotDirOf(path.join(this.options.outRoot, session.id, 'model'));
    const names = await readdir(root).catch(() => [] as string[]);
    const epochs = names
      .map((n) => /^epoch-(\d+)$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
    for (const epoch of epochs) {
      const dir = path.join(root, `epoch-${epoch}`);
      // The trainer renames a snapshot into place whole; a folder without its latent prior is one
      // written otherwise (by hand, or by a trainer older than that), and a round opened on it
      // would sample N(0, I) instead of the prior.
      if (existsSync(path.join(dir, PRIOR_FILE))) return { epoch, dir };
    }
    return null;
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
    clearInterval(this.runnerCheck);
    await this.options.assessor?.close();
    await this.slots.close();
    await this.options.runners?.dispose();
    for (const s of this.sessions.values()) s.close();
    // Not settle(): a run terminated before its worker was online never settles `done`.
    await this.options.store?.flush();
  }

  /** The training configuration of a session's run (its model and checkpoints under outRoot/<id>). */
  trainingConfig(session: Pick<TrainingSession, 'id' | 'config'>) {
    return trainingConfigFor(session.config, {
      sessionId: session.id,
      dataDir: this.options.dataDir,
      outDir: path.join(this.options.outRoot, session.id, 'model'),
      testLimit: this.options.testLimit ?? DEFAULT_TEST_LIMIT[session.config.kind],
    });
  }

  /** Several machines: a session of the shared log, held here from now on (the one already held wins). */
  adopt(record: SharedSessionRecord): TrainingSession {
    const held = this.sessions.get(record.init.id);
    if (held) return held;
    const session = TrainingSession.shared(record, this.listener, this.options.shared!);
    this.sessions.set(session.id, session);
    this.forgetOldEnded();
    this.listener.changed(session, true);
    return session;
  }

  /**
   * Several machines: an event of the shared log reaches this process's copy, in order; when
   * events before it are missing (this process missed some), they are read from the log first.
   */
  deliver(id: string, event: SessionEvent): void {
    const before = this.inbox.get(id) ?? Promise.resolve();
    const next = before.then(async () => {
      const session = this.sessions.get(id) ?? (await this.get(id));
      if (!session || session.receive(event)) return;
      for (const missed of await this.options.shared!.since(id, session.log.lastSeq)) session.receive(missed);
    });
    const tail = next.catch((err: unknown) =>
      console.error(`[sessions] ${id}: could not catch up:`, err instanceof Error ? err.message : err),
    );
    this.inbox.set(id, tail);
    void tail.then(() => {
      if (this.inbox.get(id) === tail) this.inbox.delete(id);
    });
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
    // With several machines every web node sweeps every session, those of a node restarted or gone
    // included: each counts every node's viewers (cluster/presence.ts; the first sweep comes a minute
    // after start, long after the first exchange), and the shared log lets one node's stop through.
    for (const s of this.sessions.values()) {
      if (s.state === 'waiting' && s.presence.size === 0 && now - s.createdAt.getTime() > afterMs) {
        const within = afterMs >= 60_000 ? `${Math.round(afterMs / 60_000)} minutes` : `${afterMs / 1000} seconds`;
        void s
          .transition('stop', null, `Closed: nobody started it within ${within}.`)
          .then(() => this.save(s))
          .catch(() => undefined);
      }
    }
  }

  /**
   * Fails the sessions whose runner key, seen before, has gone at this check and the one before
   * (one check could fall in a renewal's delay). Seen: by this node, or marked in Redis as taken by
   * any node (so a node started after the whole cluster went down fails what the dead ones ran).
   * Redis unreachable: nothing is concluded. Every node checks; the shared log lets one node's
   * transition through.
   */
  private async failRunnerless(): Promise<void> {
    const runners = this.options.runners;
    if (!runners || this.closed) return;
    const candidates = [...this.sessions.values()].filter((s) => HAS_RUNNER.has(s.state));
    let owners: (string | null)[];
    try {
      owners = await Promise.all(candidates.map((s) => runners.ownerOf(s.id)));
    } catch {
      return;
    }
    candidates.forEach((s, i) => owners[i] !== null && this.runnerSeen.add(s.id));
    const unseen = candidates.filter((s, i) => owners[i] === null && !this.runnerSeen.has(s.id));
    try {
      const marked = await Promise.all(unseen.map((s) => runners.wasTaken(s.id)));
      unseen.forEach((s, i) => marked[i] && this.runnerSeen.add(s.id));
    } catch {
      return;
    }
    // Only a session whose key this node has seen: a node of an older version (a rolling upgrade)
    // takes none, and its sessions are not to be failed for that.
    const gone = candidates.filter((s, i) => owners[i] === null && this.runnerSeen.has(s.id));
    const lost = gone.filter((s) => this.runnerMissing.has(s.id));
    this.runnerMissing = new Set(gone.map((s) => s.id));
    for (const s of lost)
      void s
        .transition('fail', null, RUNNER_LOST_MESSAGE)
        .then(() => this.save(s))
        .catch(() => undefined);
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
