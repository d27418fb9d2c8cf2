/**
 * The session registry without sockets: real training runs (worker threads) on the committed
 * subset, the state machine with its refusals, the capacity queue, a run that cannot start, and
 * abandoned sessions. A whole run to the end is in sessions.test.ts, over sockets.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent, SessionState } from '../../lib/protocol';
import { SessionConfigSchema } from '../../lib/protocol';
import { startTraining } from '../../server/ml/training/run';
import { SessionRegistry } from '../../server/realtime/sessions/registry';
import { runSession } from '../../server/realtime/sessions/runner';
import { snapshotDirOf } from '../../server/realtime/sessions/trainingConfig';
import type { SessionListener, TrainingSession } from '../../server/realtime/sessions/session';

/** A tiny run takes seconds, but a loaded 2-core CI machine running other test files can stretch it. */
const TRAINING_TIMEOUT_MS = 150_000;
const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
let outRoot: string;
const registries: SessionRegistry[] = [];

beforeAll(async () => {
  outRoot = await mkdtemp(path.join(os.tmpdir(), 'sessions-registry-'));
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await rm(outRoot, { recursive: true, force: true });
});

/** A registry whose listener records every session's events. */
function registry(options: { maxTraining?: number; dataDir?: string; abandonAfterMs?: number } = {}) {
  const events = new Map<string, SessionEvent[]>();
  const listener: SessionListener = {
    event: (s, e) => events.set(s.id, [...(events.get(s.id) ?? []), e]),
    presence: () => {},
    changed: () => {},
  };
  const r = new SessionRegistry(listener, { outRoot, dataDir: FIXTURE, testLimit: 200, ...options });
  registries.push(r);
  return { r, events: (s: TrainingSession) => events.get(s.id) ?? [] };
}

const host = { identity: 'host-browser-0000000001', nickname: 'Ada' };
const guest = { identity: 'guest-browser-000000002', nickname: 'Bob' };
const tiny = (over: Record<string, unknown> = {}) =>
  SessionConfigSchema.parse({ name: 'tiny', kind: 'cnn', epochs: 2, batchSize: 32, trainLimit: 256, ...over });

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const states = (events: SessionEvent[]): SessionState[] => events.flatMap((e) => (e.type === 'state' ? [e.state] : []));

describe('host controls and the capacity queue', () => {
  it('queues a second session while the slot is taken, pauses and resumes, and admits the next on stop', {
    timeout: TRAINING_TIMEOUT_MS,
  }, async () => {
    const { r, events } = registry({ maxTraining: 1 });
    const a = await r.create(tiny({ name: 'a', epochs: 5 }), host);
    const b = await r.create(tiny({ name: 'b', epochs: 5 }), host);
    await expect(r.control(a, 'start', guest.identity, guest.nickname)).rejects.toThrow(
      'Only the host (Ada) can start this session.',
    );
    await expect(r.control(a, 'pause', host.identity, host.nickname)).rejects.toThrow('nothing to pause');
    await r.control(a, 'start', host.identity, host.nickname);
    expect(await r.control(b, 'start', host.identity, host.nickname)).toBe('queued');
    expect(b.summary().queuePosition).toBe(1);
    await expect(r.control(b, 'start', host.identity, host.nickname)).rejects.toThrow('already queued');

    await until('a batch of a', () => events(a).some((e) => e.type === 'batch'));
    await expect(r.control(a, 'pause', guest.identity, guest.nickname)).rejects.toThrow('Only the host');
    expect(await r.control(a, 'pause', host.identity, host.nickname)).toBe('paused');
    await expect(r.control(a, 'pause', host.identity, host.nickname)).rejects.toThrow('already paused');
    await expect(r.setLearningRate(a, 0.0005, guest.identity, guest.nickname)).rejects.toThrow('Only the host');
    await r.setLearningRate(a, 0.0005, host.identity, host.nickname);
    // Paused: no batch arrives once the worker has seen the command (it finishes its step, which
    // on a loaded machine can take more than a second: wait for a quiet spell, not a fixed time).
    const lastBatchAt = () => Math.max(0, ...events(a).flatMap((e) => (e.type === 'batch' ? [e.at] : [])));
    await until('the worker to finish its step', () => Date.now() - lastBatchAt() > 3000, 30_000);
    const pausedAt = events(a).length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(
      events(a)
        .slice(pausedAt)
        .filter((e) => e.type === 'batch'),
    ).toEqual([]);
    expect(await r.control(a, 'resume', host.identity, host.nickname)).toBe('training');
    await until('a batch after resuming', () =>
      events(a)
        .slice(pausedAt)
        .some((e) => e.type === 'batch' && e.lr === 0.0005),
    );

    expect(await r.control(a, 'stop', host.identity, host.nickname)).toBe('stopped');
    await until('b admitted', () => b.state === 'training', 30_000);
    expect(b.summary().queuePosition).toBeNull();
    expect(states(events(a))).toEqual(['training', 'paused', 'training', 'stopped']);
    expect(states(events(b))).toEqual(['queued', 'training']);
    await r.control(b, 'stop', host.identity, host.nickname);
    await until('b ended', () => b.ended);
    expect(events(a).some((e) => e.type === 'saved')).toBe(false); // a stopped run saves no model
  });
});

describe('a failing session', () => {
  it('ends failed with the reason, and the registry keeps serving other sessions', {
    timeout: TRAINING_TIMEOUT_MS,
  }, async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'no-data-'));
    const { r, events } = registry({ dataDir: empty, maxTraining: 1 });
    const s = await r.create(tiny({ name: 'no data', kind: 'vae' }), host);
    await r.control(s, 'start', host.identity, host.nickname);
    await until('failure', () => s.state === 'failed');
    expect(s.summary().message).toMatch(
      /^The file .*train-(images|labels)-idx[13]-ubyte.gz does not exist: run `npm run data`/,
    );
    expect(states(events(s))).toEqual(['training', 'failed']);
    // The slot is free again (one slot: the next one trains rather than queues) and the registry still works.
    await r.settle();
    const next = await r.create(tiny({ name: 'after' }), host);
    expect(await r.control(next, 'start', host.identity, host.nickname)).toBe('training');
    await r.control(next, 'stop', host.identity, host.nickname);
    await rm(empty, { recursive: true, force: true });
  });
});

describe('a run taking over a session (its trainer died)', () => {
  it("trains at the host's newest learning rate, not the schedule's", { timeout: TRAINING_TIMEOUT_MS }, async () => {
    const { r, events } = registry();
    const s = await r.create(tiny({ name: 'taken over', epochs: 5 }), host);
    // What the session's log says when the new trainer takes it: training, the host's rate changed.
    await s.transition('start', host.nickname);
    await s.recordLearningRate(0.0005, host.nickname);
    await s.recordLearningRate(0.0007, host.nickname);
    const run = startTraining(r.trainingConfig(s));
    const done = runSession(s, run, r.runnerDeps());
    await until('a batch', () => events(s).some((e) => e.type === 'batch'));
    const first = events(s).find((e) => e.type === 'batch');
    expect(first?.type === 'batch' && first.lr).toBe(0.0007);
    await s.transition('stop', host.nickname);
    await done;
  });
});

describe('the newest snapshot of a session another process trains', () => {
  it('is the newest whole folder on disk, not one whose latent prior is still being written', async () => {
    const { r } = registry();
    const s = await r.create(tiny({ name: 'trained elsewhere', kind: 'vae' }), host);
    const root = snapshotDirOf(path.join(outRoot, s.id, 'model'));
    expect(await r.latestSnapshot(s)).toBeNull();
    for (const epoch of [1, 2]) await mkdir(path.join(root, `epoch-${epoch}`, 'encoder'), { recursive: true });
    await writeFile(path.join(root, 'epoch-1', 'latent-prior.json'), '{}\n');
    // epoch-2 has its weights, not yet its prior (the trainer fits it after writing them).
    expect(await r.latestSnapshot(s)).toEqual({ epoch: 1, dir: path.join(root, 'epoch-1') });
    await writeFile(path.join(root, 'epoch-2', 'latent-prior.json'), '{}\n');
    expect(await r.latestSnapshot(s)).toEqual({ epoch: 2, dir: path.join(root, 'epoch-2') });
  });
});

describe('an abandoned session', () => {
  it('is closed when nobody started it and nobody watches, so it stops counting as open', async () => {
    const { r, events } = registry({ abandonAfterMs: 200 });
    const watched = await r.create(tiny({ name: 'watched' }), host);
    watched.presence.join(watched.viewerFor(guest.identity, guest.nickname), 'socket-1');
    const left = await r.create(tiny({ name: 'left' }), host);
    await until('the sweep', () => left.state === 'stopped', 5000);
    expect(states(events(left))).toEqual(['stopped']);
    expect(left.summary().message).toBe('Closed: nobody started it within 0.2 seconds.');
    expect(watched.state).toBe('waiting');
  });
});
