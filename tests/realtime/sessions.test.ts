/**
 * Live training sessions over real Socket.IO connections to the real server: tiny runs on the
 * committed subset, several viewers seeing the same events, late joiners and reconnecting clients
 * missing nothing, host-only controls, the finished session stored and replayed by a fresh server,
 * and bad payloads refused while the server keeps serving.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply, SessionConfigInput } from '../../lib/protocol';
import { SessionTimeline } from '../../lib/sessions/timeline';
import { connectClient, pickNickname, startTestServer, type TestClient, type TestServer } from '../helpers/server';

/** A tiny run takes seconds, but a loaded 2-core CI machine running other test files can stretch it. */
const TRAINING_TIMEOUT_MS = 150_000;
/** A test that trains a tiny model in a session, with the time that takes on a busy machine. */
const trainingTest = (name: string, fn: () => Promise<void>) => it(name, { timeout: TRAINING_TIMEOUT_MS }, fn);
const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
let server: TestServer;
let outRoot: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  outRoot = await mkdtemp(path.join(os.tmpdir(), 'sessions-test-'));
  server = await startTestServer({ sessions: { dataDir: FIXTURE, outRoot, testLimit: 200, maxTraining: 1 } });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
  await rm(outRoot, { recursive: true, force: true });
});

function request(c: TestClient, event: string, payload?: unknown): Promise<Reply<any>> {
  const raw = c.timeout(20_000) as unknown as { emitWithAck(ev: string, ...args: unknown[]): Promise<Reply<any>> };
  return payload === undefined ? raw.emitWithAck(event) : raw.emitWithAck(event, payload);
}

async function ok<T = any>(reply: Promise<Reply<T>>): Promise<T> {
  const r = await reply;
  if (!r.ok) throw new Error(`request refused: ${r.error}`);
  return r.data;
}

async function until(what: string, check: () => boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A session's stored row once `ready` holds for it (writes are queued behind the live events); up to 5 s. */
async function storedRow(id: string, ready: (row: { state: unknown; modelVersionId: number | null }) => boolean) {
  const { getDb } = await import('../../server/db');
  const db = await getDb();
  let row = await db.trainingSessionRecord.findUnique({ where: { id } });
  for (let i = 0; i < 50 && !(row && ready(row)); i++) {
    await new Promise((r) => setTimeout(r, 100));
    row = await db.trainingSessionRecord.findUnique({ where: { id } });
  }
  return row;
}

/**
 * A person watching: a connection whose live events feed a timeline; `connect` again opens a new
 * connection. Everyone picks their nickname first (the guest cookie, as the pages do), unless
 * `anonymous`.
 */
class Viewer {
  readonly timeline = new SessionTimeline();
  socket!: TestClient;
  cookie: string | undefined;
  constructor(
    readonly nickname: string,
    readonly anonymous = false,
  ) {}

  /** `cookie`: a guest cookie to use (another tab of the same person); default: its own. */
  async connect(cookie?: string): Promise<this> {
    if (cookie) this.cookie = cookie;
    else if (!this.cookie && !this.anonymous) this.cookie = (await pickNickname(server.url, this.nickname)).cookie;
    this.socket = await connectClient(server.url, this.cookie);
    clients.push(this.socket);
    this.socket.on('session:event', ({ event }) => this.timeline.live(event));
    this.socket.on('session:batch', ({ event }) => this.timeline.live(event));
    this.socket.on('session:presence', ({ changes, viewers }) => this.timeline.presence(changes, viewers));
    this.socket.on('sessions:summary', (summary) => this.timeline.applySummary(summary));
    return this;
  }

  async join(sessionId: string): Promise<void> {
    this.timeline.beginJoin();
    const since = this.timeline.lastSeq > 0 ? this.timeline.lastSeq : null;
    this.timeline.applyJoin(await ok(request(this.socket, 'session:join', { sessionId, since })));
  }

  control(sessionId: string, action: string): Promise<Reply<any>> {
    return request(this.socket, 'session:control', { sessionId, action });
  }

  async create(config: SessionConfigInput): Promise<string> {
    const { sessionId } = await ok(request(this.socket, 'session:create', { config }));
    return sessionId;
  }
}

const tiny: SessionConfigInput = { name: 'tiny CNN', kind: 'cnn', epochs: 3, batchSize: 32, trainLimit: 256 };
const tinyVae: SessionConfigInput = { name: 'tiny VAE', kind: 'vae', epochs: 1, batchSize: 32, trainLimit: 256 };
let finishedId = '';
let finishedEvents: unknown[] = [];

describe('a shared session', () => {
  trainingTest(
    'gives three viewers, a late joiner and a reconnecting viewer the same events in the same order',
    async () => {
      const host = await new Viewer('Ada').connect();
      const v1 = await new Viewer('Bob').connect();
      const v2 = await new Viewer('Cyd').connect();
      const id = await host.create(tiny);
      for (const v of [host, v1, v2]) await v.join(id);
      expect(host.timeline.you?.host).toBe(true);
      expect(v1.timeline.you?.host).toBe(false);
      await until('presence of all three', () => host.timeline.viewers.length === 3);
      expect(host.timeline.viewers.map((v) => [v.nickname, v.host]).sort()).toEqual([
        ['Ada', true],
        ['Bob', false],
        ['Cyd', false],
      ]);

      expect(await v1.control(id, 'start')).toEqual({
        ok: false,
        error: 'Only the host (Ada) can start this session.',
      });
      expect(await host.control(id, 'start')).toEqual({ ok: true, data: { state: 'training' } });

      // v2 drops its connection after the first batch metrics and comes back after the first epoch.
      await until('a batch at v2', () => v2.timeline.batches.length > 0);
      v2.socket.disconnect();
      await until('the first epoch at the host', () => host.timeline.epochs.length >= 1);
      await v2.connect();
      await v2.join(id);
      const late = await new Viewer('Dee').connect();
      await late.join(id);
      expect(late.timeline.epochs.length).toBeGreaterThanOrEqual(1); // the snapshot brought the past

      const all = [host, v1, v2, late];
      await until('everyone sees the saved model', () =>
        all.every((v) => v.timeline.events.some((e) => e.type === 'saved')),
      );
      const reference = host.timeline.reliableEvents();
      expect(reference.map((e) => (e.type === 'state' ? e.state : e.type))).toEqual([
        'training',
        'started',
        'epoch',
        'epoch',
        'epoch',
        'saved',
        'finished',
      ]);
      for (const v of all) {
        expect(v.timeline.reliableEvents()).toEqual(reference);
        const seqs = v.timeline.events.map((e) => e.seq);
        expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b)); // no duplicate, in order
        expect(v.timeline.state).toBe('finished');
      }
      // Batch metrics a late joiner got from the snapshot are the very events the host saw live.
      const hostBatches = new Map(host.timeline.batches.map((b) => [b.seq, b]));
      for (const b of late.timeline.batches) if (hostBatches.has(b.seq)) expect(b).toEqual(hostBatches.get(b.seq));
      expect(late.timeline.batches.length).toBeGreaterThan(0);

      const last = host.timeline.epochs.at(-1)!;
      expect(last.progress).toBe(1);
      for (const b of host.timeline.batches) {
        expect(Number.isFinite(b.loss)).toBe(true);
        if (b.etaSeconds !== null) expect(b.etaSeconds).toBeLessThan(300); // seconds left of a run of seconds
      }
      const saved = reference.find((e) => e.type === 'saved');
      expect(saved?.type === 'saved' && saved.modelPath).toBe(path.join(outRoot, id, 'model'));
      expect(existsSync(path.join(outRoot, id, 'model', 'model.json'))).toBe(true);
      expect(last.evaluation.confusionMatrix?.flat().reduce((a, b) => a + b, 0)).toBe(200);
      expect(host.timeline.detail?.probeImages).toHaveLength(16);
      finishedId = id;
      finishedEvents = reference;
    },
  );

  it('stores the finished session and registers its model as a model version', async () => {
    const { getDb } = await import('../../server/db');
    const db = await getDb();
    const row = await storedRow(finishedId, (r) => r.state === 'finished');
    expect(row?.state).toBe('finished');
    expect(row?.modelVersionId).not.toBeNull();
    const version = await db.modelVersion.findUniqueOrThrow({ where: { id: row!.modelVersionId! } });
    expect(version).toMatchObject({ kind: 'cnn', name: 'session: tiny CNN' });
    expect((version.trainingLog as { epochs: unknown[] }).epochs).toHaveLength(3);
    expect(version.path).toContain(path.join(finishedId, 'model').split(path.sep).join('/'));
  });

  trainingTest('replays a finished session from the database on a freshly started server', async () => {
    // The same database and output folder, a new process's memory.
    const fresh = await startTestServer({ database: server.database, sessions: { dataDir: FIXTURE, outRoot } });
    try {
      const c = await connectClient(fresh.url);
      clients.push(c);
      const lobby = await ok(request(c, 'sessions:watch', {}));
      expect(lobby.sessions.map((s: { id: string }) => s.id)).toContain(finishedId);
      const timeline = new SessionTimeline();
      timeline.applyJoin(await ok(request(c, 'session:join', { sessionId: finishedId, since: null })));
      expect(timeline.state).toBe('finished');
      expect(timeline.reliableEvents()).toEqual(finishedEvents);
      expect(timeline.detail?.probeImages).toHaveLength(16);
    } finally {
      await fresh.close();
    }
  });
});

describe('host controls', () => {
  trainingTest('pause, resume and stop work for the host and are refused for others', async () => {
    const host = await new Viewer('Ada').connect();
    const other = await new Viewer('Bob').connect();
    const id = await host.create({ ...tiny, name: 'controls', epochs: 20 });
    await host.join(id);
    expect(await other.control(id, 'start')).toEqual({ ok: false, error: `Join session ${id} before acting on it.` });
    await other.join(id);
    expect((await host.control(id, 'start')).ok).toBe(true);
    await until('a batch', () => other.timeline.batches.length > 0);
    for (const action of ['pause', 'stop']) {
      expect(await other.control(id, action)).toEqual({
        ok: false,
        error: `Only the host (Ada) can ${action} this session.`,
      });
    }
    expect(await request(other.socket, 'session:lr', { sessionId: id, lr: 0.01 })).toEqual({
      ok: false,
      error: 'Only the host (Ada) can change the learning rate of this session.',
    });
    expect(await host.control(id, 'pause')).toEqual({ ok: true, data: { state: 'paused' } });
    expect(await host.control(id, 'pause')).toEqual({ ok: false, error: 'This session is already paused.' });
    expect(await request(host.socket, 'session:lr', { sessionId: id, lr: 0.01 })).toEqual({
      ok: true,
      data: { lr: 0.01 },
    });
    expect(await host.control(id, 'resume')).toEqual({ ok: true, data: { state: 'training' } });
    expect(await host.control(id, 'stop')).toEqual({ ok: true, data: { state: 'stopped' } });
    await until('the stop at the other viewer', () => other.timeline.state === 'stopped');
    const states = other.timeline
      .reliableEvents()
      .flatMap((e) => (e.type === 'state' ? [`${e.state} by ${e.by}`] : []));
    expect(states).toEqual(['training by Ada', 'paused by Ada', 'training by Ada', 'stopped by Ada']);
    expect(other.timeline.reliableEvents().some((e) => e.type === 'lr' && e.lr === 0.01 && e.by === 'Ada')).toBe(true);
    expect(await host.control(id, 'resume')).toEqual({
      ok: false,
      error: 'This session was stopped; create a new session to train again.',
    });
  });
});

describe('the training queue', () => {
  trainingTest("shows a queued session's page its place in the queue as it moves", async () => {
    const host = await new Viewer('Ada').connect();
    const watcher = await new Viewer('Bob').connect();
    const ids = [];
    for (const name of ['first', 'second', 'third']) {
      const id = await host.create({ ...tiny, name, epochs: 20 });
      await host.join(id);
      expect((await host.control(id, 'start')).ok).toBe(true);
      ids.push(id);
    }
    const [first, second, third] = ids as [string, string, string];
    // This server trains one session at a time: the third waits behind the second (and the first,
    // unless it trains; a session of an earlier test may still be training).
    await watcher.join(third);
    expect(watcher.timeline.state).toBe('queued');
    const place = watcher.timeline.detail!.queuePosition!;
    expect(place).toBeGreaterThanOrEqual(2);
    // Each session ahead that stops moves the third's page up, without joining again.
    const position = () => watcher.timeline.detail?.queuePosition ?? 0;
    const movedUpFrom = (was: number) => () => watcher.timeline.state === 'training' || position() < was;
    expect((await host.control(first, 'stop')).ok).toBe(true);
    await until('the third moved up', movedUpFrom(place), 20_000);
    const now = position();
    expect(now).toBeGreaterThanOrEqual(1);
    expect((await host.control(second, 'stop')).ok).toBe(true);
    await until('the third moved up again', movedUpFrom(now), 20_000);
    // Out of the queue, no place is shown.
    if (watcher.timeline.state === 'training') expect(watcher.timeline.detail?.queuePosition).toBeNull();
    expect((await host.control(third, 'stop')).ok).toBe(true);
  });
});

describe('who the host is', () => {
  it('is the guest cookie: another tab of the host controls, after a change of nickname too; nobody else does', async () => {
    const { cookie } = await pickNickname(server.url, 'Guest 4821');
    const tab1 = await new Viewer('Guest 4821').connect(cookie);
    const id = await tab1.create({ ...tiny, name: 'guest host' });
    await tab1.join(id);
    // Without a nickname one may watch (as an anonymous visitor) but not create or control.
    const anonymous = await new Viewer('', true).connect();
    await anonymous.join(id);
    await until('the anonymous visitor in the presence list', () => tab1.timeline.viewers.length === 2);
    expect(tab1.timeline.viewers.map((v) => v.nickname).sort()).toEqual(['Guest 4821', 'Visitor without a nickname']);
    expect(await request(anonymous.socket, 'session:create', { config: tiny })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Pick a nickname first/),
    });
    const impostor = await new Viewer('Mallory').connect();
    await impostor.join(id);
    const lr = (v: Viewer) => request(v.socket, 'session:lr', { sessionId: id, lr: 0.01 });
    expect(await lr(impostor)).toEqual({
      ok: false,
      error: 'Only the host (Guest 4821) can change the learning rate of this session.',
    });
    expect(await lr(anonymous)).toEqual({
      ok: false,
      error: 'Only the host (Guest 4821) can change the learning rate of this session.',
    });
    // The creator picks a nickname of their own (on any page: the same cookie, renamed) and opens
    // another tab: still the host, refused only for the state.
    await pickNickname(server.url, 'Grace', cookie);
    const tab2 = await new Viewer('Grace').connect(cookie);
    await tab2.join(id);
    expect(tab2.timeline.you?.host).toBe(true);
    expect(await lr(tab2)).toEqual({
      ok: false,
      error: 'The learning rate can be changed only while the session is training or paused.',
    });
    expect(await impostor.control(id, 'stop')).toEqual({
      ok: false,
      error: 'Only the host (Guest 4821) can stop this session.',
    });
    expect(await tab2.control(id, 'stop')).toEqual({ ok: true, data: { state: 'stopped' } });
  });
});

describe('a crowd', () => {
  it('names up to 100 viewers in a join, the host first, and counts them all, live', async () => {
    const host = await new Viewer('Crowd host').connect();
    const sessionId = await host.create({ ...tiny, name: 'crowded' });
    await host.join(sessionId);
    const crowd = await Promise.all(Array.from({ length: 110 }, (_, i) => new Viewer(`v${i}`, true).connect()));
    await Promise.all(crowd.map((v) => v.join(sessionId)));
    const late = await new Viewer('Late', true).connect();
    await late.join(sessionId);
    expect(late.timeline.viewerCount).toBe(112);
    expect(late.timeline.viewers).toHaveLength(100);
    expect(late.timeline.viewers[0]).toMatchObject({ nickname: 'Crowd host', host: true });
    // The count follows the crowd as it changes, whoever the page knows by name.
    crowd[0]!.socket.disconnect();
    await expect.poll(() => late.timeline.viewerCount).toBe(111);
    await expect.poll(() => host.timeline.viewerCount).toBe(111);
  });
});

describe('bad input', () => {
  it('refuses malformed, out-of-range and oversized payloads with errors and keeps serving', async () => {
    const v = await new Viewer('Ada').connect();
    const create = (config: unknown) => request(v.socket, 'session:create', { config });
    const error = async (reply: Promise<Reply<any>>): Promise<string> => {
      const r = await reply;
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error;
    };
    expect(await error(create({ ...tiny, epochs: 999 }))).toContain('Epochs must be at most 50.');
    expect(await error(create({ ...tiny, lr: 0 }))).toContain('The learning rate must be at least 0.00001.');
    expect(await error(create({ ...tiny, kind: 'gan' }))).toContain('kind');
    expect(await error(create({ ...tiny, batchSize: 512, trainLimit: 256 }))).toContain(
      'The batch size must not be larger than the training subset.',
    );
    expect(await error(create({ ...tiny, name: 'x'.repeat(10_000) }))).toContain('at most 60 characters');
    expect(await error(create({ ...tiny, extra: 1 }))).toContain('extra');
    expect(await error(request(v.socket, 'session:create', 'not an object'))).toContain(
      'Invalid session:create payload',
    );
    expect(await error(request(v.socket, 'session:join', { sessionId: 'zzzzzzzz' }))).toBe(
      'There is no session zzzzzzzz; check the link or pick a session in the lobby.',
    );
    expect(await error(request(v.socket, 'session:join', { sessionId: '../../etc' }))).toContain(
      'A session id is 6-24 lower-case letters or digits',
    );
    expect(await error(request(v.socket, 'session:control', { sessionId: 'abcdefgh', action: 'explode' }))).toContain(
      'action',
    );
    expect(
      await error(request(v.socket, 'session:join', { sessionId: 'abcdefgh', clientId: 'from-localStorage' })),
    ).toContain('clientId');

    // Bigger than the server accepts: that connection is closed, everyone else carries on.
    const big = await new Viewer('Big').connect();
    const closed = new Promise<string>((resolve) => big.socket.once('disconnect', resolve));
    const loose = big.socket as unknown as { emit(ev: string, ...args: unknown[]): void };
    loose.emit('session:create', { config: { ...tiny, name: 'x'.repeat(300 * 1024) } }, () => {});
    expect(await closed).toBe('transport close');
    expect((await request(v.socket, 'sessions:watch', {})).ok).toBe(true);
    const after = await new Viewer('After').connect();
    expect((await request(after.socket, 'sessions:watch', {})).ok).toBe(true);
  });
});

describe('a VAE session', () => {
  trainingTest('streams reconstructions and a class-by-class sample grid every epoch', async () => {
    const host = await new Viewer('Ada').connect();
    const id = await host.create({ ...tinyVae, beta: 0.5 });
    await host.join(id);
    expect(host.timeline.detail?.config).toMatchObject({ kind: 'vae', beta: 0.5 });
    expect((await host.control(id, 'start')).ok).toBe(true);
    await until('the end', () => host.timeline.state === 'finished' || host.timeline.state === 'failed', 120_000);
    expect(host.timeline.message).toBeNull();
    const [epoch] = host.timeline.epochs;
    expect(epoch?.evaluation.headlineName).toBe('test -ELBO');
    expect(epoch?.evaluation.reconstructions).toMatch(/^data:image\/png;base64,/);
    expect(epoch?.evaluation.samples).toMatch(/^data:image\/png;base64,/);
    expect(host.timeline.detail?.probeImages).toEqual([]);

    // The committed model's critic trains beside it by default: its scores are probabilities, and the
    // model version counts only the saved encoder and decoder.
    expect(host.timeline.detail?.config).toMatchObject({ adversarial: true });
    for (const score of [epoch?.evaluation.criticRealScore, epoch?.evaluation.criticReconstructionScore]) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
    }
    const { getDb } = await import('../../server/db');
    const { SessionStore } = await import('../../server/realtime/sessions/records');
    const db = await getDb();
    const row = await storedRow(id, (r) => r.modelVersionId !== null);
    const version = await db.modelVersion.findUniqueOrThrow({ where: { id: row!.modelVersionId! } });
    const arch = (
      version.trainingLog as { architecture: { encoderParams: number; decoderParams: number; criticParams: number } }
    ).architecture;
    expect(arch.criticParams).toBeGreaterThan(0);
    expect(version.params).toBe(arch.encoderParams + arch.decoderParams);

    // A row stored before sessions had a critic reads back as trained without one.
    const { adversarial: _, ...older } = row!.config as Record<string, unknown>;
    await db.trainingSessionRecord.update({
      where: { id },
      data: { config: older as Record<string, string | number | boolean> },
    });
    expect((await new SessionStore(getDb).load(id))?.config).toMatchObject({ kind: 'vae', adversarial: false });
  });
});

describe('a session that fails mid-training', () => {
  trainingTest('shows every viewer the failed state and why, and the server keeps serving', async () => {
    const host = await new Viewer('Ada').connect();
    const viewer = await new Viewer('Bob').connect();
    // A learning rate of 1 makes this VAE's loss overflow within its first steps (seeded, so every time).
    const id = await host.create({ ...tinyVae, name: 'too fast', epochs: 2, lr: 1, lrSchedule: 'constant' });
    await host.join(id);
    await viewer.join(id);
    expect((await host.control(id, 'start')).ok).toBe(true);
    await until('the failure at the viewer', () => viewer.timeline.state === 'failed', 120_000);
    expect(viewer.timeline.batches.length).toBeGreaterThan(0); // it failed while training, not before
    expect(viewer.timeline.message).toMatch(
      /^The loss became (NaN|Infinity|-Infinity) at epoch 1, step \d+: lower the learning rate\.$/,
    );
    expect(await host.control(id, 'resume')).toEqual({
      ok: false,
      error: 'This session failed; create a new session (perhaps with a lower learning rate) to train again.',
    });

    const lobby = await ok(request(viewer.socket, 'sessions:watch', {}));
    expect(lobby.sessions.find((s: { id: string }) => s.id === id)).toMatchObject({
      state: 'failed',
      message: viewer.timeline.message,
    });
    // The slot is free and the server trains the next session.
    const next = await host.create({ ...tiny, name: 'after the failure', epochs: 1 });
    await host.join(next);
    expect(await host.control(next, 'start')).toEqual({ ok: true, data: { state: 'training' } });
    expect(await host.control(next, 'stop')).toEqual({ ok: true, data: { state: 'stopped' } });
  });
});
