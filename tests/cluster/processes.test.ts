/**
 * Several machines as separate processes (issue 20): two web nodes (`server/main.ts`, pages off)
 * and a trainer (`npm run worker`) on one PostgreSQL, one Redis and one data folder, on localhost.
 * Viewers split across both nodes get the same ordered stream with nothing missing; a host on node
 * 1 pauses, re-tunes and resumes a session trained by the trainer while viewers watch on node 2; a
 * per-person limit holds across nodes; a trainer killed with SIGKILL mid-session is replaced and
 * the run resumes at its last checkpoint (in a trainer that trains in its own main thread, as one
 * with a native backend does); a web node killed with SIGKILL loses its viewers, who
 * reconnect to the other node and catch up from their last sequence number.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../lib/protocol';
import { createFreshPostgres, type FreshPostgres } from '../helpers/freshDatabase';
import { deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis';
import { freePort } from '../../server/net';
import { connectClient, pickNickname, type TestClient } from '../helpers/server';

const TIMEOUT_MS = 240_000;
// The nodes run with the real limits, and every client here comes from 127.0.0.1: the file uses 3
// new guests (the limit per address and minute) and 5 new sessions (per address and 15 minutes).
const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
const VIEWERS = 200;
const prefix = uniquePrefix();
let database: FreshPostgres;
let dataDir: string;
const processes: Proc[] = [];
const clients: TestClient[] = [];
let node1: Proc;
let node2: Proc;
let trainer: Proc;

/** One process of the playground, its output kept for the failure message. */
interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  url: string;
}

/** Starts `script` under Node (one process, so SIGKILL kills it all) and waits for `readyLine`. */
async function start(name: string, script: string, args: string[], readyLine: RegExp, port = 0): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PAGES: 'false',
      HOST: '127.0.0.1',
      PORT: String(port || 1),
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      DATA_DIR: dataDir,
      FASHION_MNIST_DIR: FIXTURE,
      // Every node must sign and read the same guest cookies.
      COOKIE_SECRET: 'several-machines-test-secret-0123456789',
      VOTE_MIN_GUEST_AGE_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, output: [], url: `http://127.0.0.1:${port}` };
  processes.push(proc);
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      proc.output.push(text);
      if (readyLine.test(proc.output.join(''))) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`${name} exited (${code}) before it was ready:\n${proc.output.join('')}`)),
    );
  });
  await Promise.race([
    ready,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${name} not ready in 90 s:\n${proc.output.join('')}`)), 90_000),
    ),
  ]);
  return proc;
}

const webNode = async (name: string) => {
  const port = await freePort();
  return start(name, 'server/main.ts', [], /Fashion-MNIST playground: http/, port);
};
const startTrainer = (training: 'auto' | 'in-process' = 'auto') =>
  start(
    'trainer',
    'server/cli/worker.ts',
    ['--lock-seconds', '3', '--no-assess', '--training', training],
    /trainer on .* waiting for sessions/,
  );

function kill9(proc: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return resolve();
    proc.child.once('exit', () => resolve());
    proc.child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  database = await createFreshPostgres();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'several-machines-'));
  node1 = await webNode('node 1'); // first alone: it migrates the fresh database
  [node2, trainer] = await Promise.all([webNode('node 2'), startTrainer()]);
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(processes.map((p) => kill9(p)));
  await deleteKeys(prefix);
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

type Reply = { ok: true; data: any } | { ok: false; error: string };
const ask = (c: TestClient, event: string, payload?: unknown): Promise<Reply> =>
  (c.timeout(30_000) as unknown as { emitWithAck(e: string, p?: unknown): Promise<Reply> }).emitWithAck(event, payload);
async function ok(reply: Promise<Reply>): Promise<any> {
  const r = await reply;
  if (!r.ok) throw new Error(`refused: ${r.error}`);
  return r.data;
}

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}\n${processes.map((p) => `--- ${p.name}\n${p.output.join('').slice(-3000)}`).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A viewer: everything it received of one session, in arrival order. */
class Watcher {
  socket!: TestClient;
  readonly events: SessionEvent[] = [];
  constructor(
    public url: string,
    readonly cookie?: string,
  ) {}
  async connect(): Promise<this> {
    this.socket = await connectClient(this.url, this.cookie);
    clients.push(this.socket);
    this.socket.on('session:event', ({ event }) => this.events.push(event));
    this.socket.on('session:batch', ({ event }) => this.events.push(event));
    return this;
  }
  /** Joins (again): the snapshot's events after the last one it has, then live ones. */
  async join(sessionId: string): Promise<void> {
    const since = this.events.at(-1)?.seq ?? null;
    const joined = await ok(ask(this.socket, 'session:join', { sessionId, since }));
    for (const e of joined.events as SessionEvent[]) if (e.seq > (this.events.at(-1)?.seq ?? 0)) this.events.push(e);
  }
  reliable(): string[] {
    return this.events.filter((e) => e.type !== 'batch').map((e) => JSON.stringify(e));
  }
  states(): string[] {
    return this.events.flatMap((e) => (e.type === 'state' ? [e.state] : []));
  }
  ended(): boolean {
    return this.states().some((s) => s === 'finished' || s === 'failed' || s === 'stopped');
  }
}

/** Every watcher saw the same events that must arrive, in order; all it saw is in increasing order. */
function expectSameStreams(watchers: Watcher[], reference: Watcher): void {
  const expected = reference.reliable();
  const seqs = reference.events.filter((e) => e.type !== 'batch').map((e) => e.seq);
  expect(seqs.length).toBeGreaterThan(5);
  for (const w of watchers) {
    const all = w.events.map((e) => e.seq);
    expect(all.every((s, i) => i === 0 || s > all[i - 1]!)).toBe(true);
    expect(w.reliable()).toEqual(expected);
  }
  // Nothing missing: the numbers of everything that must arrive, together with the batches, run
  // 1, 2, 3... with no hole (batches are "volatile": a slow socket may skip some, so holes may
  // only be batches, as the stored history confirms).
  const last = seqs.at(-1)!;
  const reliableSeqs = new Set(seqs);
  for (const w of watchers) {
    const got = new Set(w.events.map((e) => e.seq));
    for (let s = 1; s <= last; s++) if (!got.has(s)) expect(reliableSeqs.has(s)).toBe(false);
  }
}

const tiny = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  kind: 'cnn',
  epochs: 3,
  batchSize: 32,
  trainLimit: 256,
  ...over,
});

describe('two web nodes and a trainer, as separate processes', () => {
  let hostCookie = '';

  it(`gives ${VIEWERS} viewers on both nodes one ordered stream, and a host on node 1 steers a run viewers watch on node 2`, {
    timeout: TIMEOUT_MS,
  }, async () => {
    hostCookie = (await pickNickname(node1.url, 'Ada')).cookie;
    const host = await new Watcher(node1.url, hostCookie).connect();
    const viewers = await Promise.all(
      Array.from({ length: VIEWERS - 1 }, (_, i) => new Watcher(i % 2 === 0 ? node2.url : node1.url).connect()),
    );
    const onNode2 = viewers.filter((v) => v.url === node2.url);
    const { sessionId } = await ok(ask(host.socket, 'session:create', { config: tiny('shared') }));
    for (const w of [host, ...viewers]) await w.join(sessionId);
    expect(await ok(ask(host.socket, 'session:control', { sessionId, action: 'start' }))).toEqual({ state: 'queued' });
    await until('a batch on node 2', () => onNode2[0]!.events.some((e) => e.type === 'batch'));
    // A viewer on node 2 is not the host: refused there too.
    expect(await ask(onNode2[0]!.socket, 'session:control', { sessionId, action: 'pause' })).toEqual({
      ok: false,
      error: 'Only the host (Ada) can pause this session.',
    });

    expect(await ok(ask(host.socket, 'session:control', { sessionId, action: 'pause' }))).toEqual({ state: 'paused' });
    await until('every viewer on node 2 to see the pause', () => onNode2.every((v) => v.states().includes('paused')));
    await new Promise((r) => setTimeout(r, 1000)); // a step in flight may still report
    const during = onNode2[0]!.events.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(onNode2[0]!.events.length).toBe(during); // the trainer's run really is paused
    await ok(ask(host.socket, 'session:lr', { sessionId, lr: 0.0005 }));
    expect(await ok(ask(host.socket, 'session:control', { sessionId, action: 'resume' }))).toEqual({
      state: 'training',
    });
    await until('every viewer to see the end', () => [host, ...viewers].every((w) => w.ended()));
    expect(host.states()).toEqual(['queued', 'training', 'paused', 'training', 'finished']);
    expect(host.events.some((e) => e.type === 'lr' && e.lr === 0.0005)).toBe(true);
    expect(host.events.some((e) => e.type === 'saved' && e.modelVersionId !== null)).toBe(true);
    expectSameStreams(viewers, host);
  });

  it("lists the trainer, its backend and its slots on every node's status panel", { timeout: 30_000 }, async () => {
    for (const node of [node1, node2]) {
      const socket = (await new Watcher(node.url).connect()).socket;
      let trainers: { backend: string; training?: string; slots: number; pid: number }[] | undefined;
      for (let i = 0; i < 40 && !(trainers?.length ?? 0); i++) {
        trainers = (await ok(ask(socket, 'status:get', {}))).trainers;
        if (!trainers?.length) await new Promise((r) => setTimeout(r, 500));
      }
      expect(trainers).toEqual([
        expect.objectContaining({ backend: 'wasm', training: 'worker threads', slots: 1, pid: trainer.child.pid }),
      ]);
    }
  });

  it('counts a per-person limit across nodes, and shows a session waiting for a trainer its place in the queue on every node', {
    timeout: 60_000,
  }, async () => {
    const on2 = await new Watcher(node2.url, hostCookie).connect();
    const on1 = await new Watcher(node1.url, hostCookie).connect();
    // The first was created through node 1 above; two more through node 2.
    const second = (await ok(ask(on2.socket, 'session:create', { config: tiny('second', { epochs: 20 }) }))).sessionId;
    const third = (await ok(ask(on2.socket, 'session:create', { config: tiny('third') }))).sessionId;
    const refused = await ask(on1.socket, 'session:create', { config: tiny('fourth') });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.error).toMatch(
      /^Too many new training sessions: at most 3 per 15 minutes per person/,
    );

    // The trainer has one slot: while it trains the second, the third waits, and node 1's lobby
    // (the host started both on node 2) shows its place in the queue.
    let lobby: { id: string; state: string; queuePosition: number | null }[] = [];
    on1.socket.on('sessions:summary', (s) => {
      lobby = [...lobby.filter((x) => x.id !== s.id), s];
    });
    lobby = (await ok(ask(on1.socket, 'sessions:watch', {}))).sessions;
    for (const id of [second, third]) {
      await ok(ask(on2.socket, 'session:join', { sessionId: id, since: null }));
      await ok(ask(on2.socket, 'session:control', { sessionId: id, action: 'start' }));
    }
    const summary = (id: string) => lobby.find((s) => s.id === id);
    await until(
      'the second to train and the third to wait first in line',
      () =>
        summary(second)?.state === 'training' &&
        summary(third)?.state === 'queued' &&
        summary(third)?.queuePosition === 1,
    );
    await ok(ask(on2.socket, 'session:control', { sessionId: third, action: 'stop' }));
    await ok(ask(on2.socket, 'session:control', { sessionId: second, action: 'stop' }));
    await until('both to stop', () => summary(second)?.state === 'stopped' && summary(third)?.state === 'stopped');
    expect(summary(third)?.queuePosition).toBeNull();
  });

  it('resumes a session at its last checkpoint when its trainer is killed, and a web node killed mid-session loses nobody', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const cookie = (await pickNickname(node1.url, 'Bea')).cookie;
    const host = await new Watcher(node1.url, cookie).connect();
    const moving = await new Watcher(node2.url).connect(); // its node will die
    const { sessionId } = await ok(
      ask(host.socket, 'session:create', { config: tiny('survivor', { epochs: 5, trainLimit: 512 }) }),
    );
    for (const w of [host, moving]) await w.join(sessionId);
    await ok(ask(host.socket, 'session:control', { sessionId, action: 'start' }));
    // A step of the second epoch: the first epoch's checkpoint is written before it begins.
    await until('the second epoch', () => host.events.some((e) => e.type === 'batch' && e.epoch === 1));

    await kill9(trainer);
    const killedAt = host.events.at(-1)!.seq;
    // The replacement trains in its own main thread, as a trainer with a native backend does; it
    // resumes the checkpoint a worker-thread run wrote, and hands it back to one.
    trainer = await startTrainer('in-process');
    expect(trainer.output.join('')).toMatch(/backend wasm.*, training in this process;/);
    await until('the new trainer to take over', () =>
      host.events.some((e) => e.seq > killedAt && e.type === 'started'),
    );

    // A trainer stopped by its operator (SIGTERM) hands the job back; the next one resumes it.
    const batchAfter = (seq: number) =>
      host.events.find((e): e is Extract<SessionEvent, { type: 'batch' }> => e.type === 'batch' && e.seq > seq);
    await until('a step of the new trainer', () => batchAfter(killedAt) !== undefined);
    const resumedIn = batchAfter(killedAt)!.epoch;
    // A step of the epoch after: the checkpoint of the one it resumed in is written.
    await until('the next epoch', () => host.events.some((e) => e.type === 'batch' && e.epoch > resumedIn));
    const stopped = trainer;
    await new Promise<void>((resolve) => {
      stopped.child.once('exit', () => resolve());
      stopped.child.kill('SIGTERM');
    });
    expect(stopped.output.join('')).toMatch(/SIGTERM: handing the running sessions back to the queue/);
    const stoppedAt = host.events.at(-1)!.seq;
    trainer = await startTrainer();
    await until('the third trainer to take over', () =>
      host.events.some((e) => e.seq > stoppedAt && e.type === 'started'),
    );

    await kill9(node2); // its two viewers lose their connection
    moving.url = node1.url; // the load balancer sends them to the surviving node
    await moving.connect();
    await moving.join(sessionId);
    await until('the end', () => host.ended() && moving.ended());
    expect(host.states().at(-1)).toBe('finished');
    // Each replacement resumed at the last checkpoint instead of starting again: epochs 0..4 once each.
    expect(host.events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    expectSameStreams([moving], host);
  });
  it('fails a session with the reason every viewer sees when its trainer keeps dying', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const cookie = (await pickNickname(node1.url, 'Cas')).cookie;
    const host = await new Watcher(node1.url, cookie).connect();
    const viewer = await new Watcher(node1.url).connect();
    const { sessionId } = await ok(
      ask(host.socket, 'session:create', { config: tiny('doomed', { epochs: 20, trainLimit: 512 }) }),
    );
    for (const w of [host, viewer]) await w.join(sessionId);
    await ok(ask(host.socket, 'session:control', { sessionId, action: 'start' }));
    // The queue allows two losses of a job (each resumes at a checkpoint); the third fails it.
    for (let death = 1; death <= 3; death++) {
      await until(
        `trainer ${death} to run the session`,
        () => host.events.filter((e) => e.type === 'started').length >= death,
      );
      await kill9(trainer);
      trainer = await startTrainer();
    }
    await until('the failure', () => viewer.states().includes('failed'));
    const failed = viewer.events.find((e) => e.type === 'state' && e.state === 'failed') as { message: string };
    expect(failed.message).toMatch(/^The training could not go on: .*stalled.*Create a new session to train again\.$/);
    expect(host.states().at(-1)).toBe('failed');
  });
});
