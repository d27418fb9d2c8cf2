/**
 * Several machines, the session registry without sockets: registries in this process standing for
 * web nodes, each with its own connections to the shared log in Redis (a key prefix of this file's
 * own), no database. What a node leaves behind when it restarts or goes is what is checked here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionConfigSchema } from '../../lib/protocol';
import { closeRedis, connectRedis } from '../../server/cluster/redis';
import { RoundOwners } from '../../server/cluster/roundOwners';
import { RedisSessionLog } from '../../server/cluster/sessionLog';
import { runnerKeyPrefix, runnerTakenPrefix } from '../../server/cluster/sessions';
import { INTERRUPTED_MESSAGE, RUNNER_LOST_MESSAGE } from '../../server/realtime/sessions/records';
import { SessionRegistry, type SessionRegistryOptions } from '../../server/realtime/sessions/registry';
import type { SessionListener } from '../../server/realtime/sessions/session';
import { deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis';

const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
const prefix = uniquePrefix();
let outRoot: string;
const nodes: { registry: SessionRegistry; close(): Promise<void> }[] = [];
/** Connections of the tests' own, closed after the nodes. */
const connections: ReturnType<typeof connectRedis>[] = [];

beforeAll(async () => {
  outRoot = await mkdtemp(path.join(os.tmpdir(), 'cluster-registry-'));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await closeRedis(...connections);
  await deleteKeys(prefix);
  await rm(outRoot, { recursive: true, force: true });
});

const quiet: SessionListener = { event() {}, presence() {}, changed() {} };

/** A web node's registry on the shared log (this node's threads train: TRAINERS=local). */
async function node(options: Partial<SessionRegistryOptions> = {}) {
  const redis = connectRedis(redisUrl(), { name: 'test node' });
  const reader = connectRedis(redisUrl(), { name: 'test node: sessions feed' });
  const log = new RedisSessionLog(redis, reader, prefix);
  const registry = new SessionRegistry(quiet, { outRoot, dataDir: FIXTURE, testLimit: 200, shared: log, ...options });
  await registry.ready();
  let closed = false;
  const handle = {
    registry,
    async close() {
      if (closed) return;
      closed = true;
      await registry.close();
      await log.close();
      await closeRedis(redis, reader);
    },
  };
  nodes.push(handle);
  return handle;
}

const host = { identity: 'host-browser-0000000001', nickname: 'Ada' };
const guest = { identity: 'guest-browser-000000002', nickname: 'Bob' };
const tiny = (over: Record<string, unknown> = {}) =>
  SessionConfigSchema.parse({ name: 'tiny', kind: 'cnn', epochs: 2, batchSize: 32, trainLimit: 256, ...over });

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a session nobody started, of a node that restarted', () => {
  it('is closed by a node that did not create it, unless someone watches it', { timeout: 60_000 }, async () => {
    const before = await node();
    const left = await before.registry.create(tiny({ name: 'left behind' }), host);
    const watched = await before.registry.create(tiny({ name: 'watched' }), host);
    await before.close(); // the node restarts: what it created is still "waiting" in the shared log

    const after = await node({ abandonAfterMs: 200 });
    const leftNow = await after.registry.get(left.id);
    const watchedNow = await after.registry.get(watched.id);
    watchedNow!.presence.join(watchedNow!.viewerFor(guest.identity, guest.nickname), 'socket-1');
    await until('the sweep', () => leftNow?.state === 'stopped');
    expect(leftNow!.summary().message).toBe('Closed: nobody started it within 0.2 seconds.');
    expect(watchedNow!.state).toBe('waiting');
  });
});

describe('a node that trains its sessions itself (TRAINERS=local) shutting down', () => {
  it('leaves its training and queued sessions failed, saying why, for every other node', {
    timeout: 60_000,
  }, async () => {
    const trains = await node({ maxTraining: 1 });
    const running = await trains.registry.create(tiny({ name: 'running', epochs: 5 }), host);
    const waiting = await trains.registry.create(tiny({ name: 'queued', epochs: 5 }), host);
    expect(await trains.registry.control(running, 'start', host.identity, host.nickname)).toBe('training');
    expect(await trains.registry.control(waiting, 'start', host.identity, host.nickname)).toBe('queued');
    await trains.close();

    const other = await node();
    for (const id of [running.id, waiting.id]) {
      const seen = await other.registry.get(id);
      expect(seen?.state).toBe('failed');
      expect(seen?.summary().message).toBe(INTERRUPTED_MESSAGE);
    }
  });
});

describe('a node that trains its sessions itself (TRAINERS=local) killed', () => {
  it('leaves its training and queued sessions failed by another node within two checks, saying why', {
    timeout: 60_000,
  }, async () => {
    const ttlMs = 600;
    /** A node's runner keys, on a connection of their own (as a node's: one Redis, one process). */
    const runners = () => {
      const redis = connectRedis(redisUrl(), { name: 'test node: runner keys' });
      const owners = new RoundOwners(redis, runnerKeyPrefix(prefix), 'sessions', ttlMs);
      connections.push(redis);
      return { redis, owners };
    };
    const doomed = runners();
    const trains = await node({ maxTraining: 1, runners: doomed.owners });
    const other = await node({ runners: runners().owners });
    const running = await trains.registry.create(tiny({ name: 'running', epochs: 50, trainLimit: 3000 }), host);
    const waiting = await trains.registry.create(tiny({ name: 'queued', epochs: 5 }), host);
    expect(await trains.registry.control(running, 'start', host.identity, host.nickname)).toBe('training');
    expect(await trains.registry.control(waiting, 'start', host.identity, host.nickname)).toBe('queued');
    const seen = await Promise.all([running.id, waiting.id].map((id) => other.registry.get(id)));
    // While the node renews its keys, the other node leaves its sessions alone, check after check.
    await new Promise((r) => setTimeout(r, ttlMs * 5));
    expect(seen.map((s) => s?.state)).toEqual(['training', 'queued']);

    // Killed: its keys are renewed no more (here: its connection for them is gone).
    doomed.redis.disconnect();
    await until('both failed on the other node', () => seen.every((s) => s?.state === 'failed'), 10_000);
    for (const s of seen) expect(s?.summary().message).toBe(RUNNER_LOST_MESSAGE);
    // The node that still ran it follows the shared log: its run stops.
    await until('the run stopped there', () => running.state === 'failed', 10_000);
  });

  it('leaves its training session failed by a node started after it died, which never saw its key (the whole cluster went down)', {
    timeout: 60_000,
  }, async () => {
    // The earlier tests' nodes go first: alive, they would see the key and fail the session themselves.
    await Promise.all(nodes.map((n) => n.close()));
    const ttlMs = 600;
    const runners = () => {
      const redis = connectRedis(redisUrl(), { name: 'test node: runner keys' });
      const owners = new RoundOwners(redis, runnerKeyPrefix(prefix), 'sessions', ttlMs, runnerTakenPrefix(prefix));
      connections.push(redis);
      return { redis, owners };
    };
    const doomed = runners();
    const trains = await node({ maxTraining: 1, runners: doomed.owners });
    const running = await trains.registry.create(tiny({ name: 'cluster down', epochs: 50, trainLimit: 3000 }), host);
    expect(await trains.registry.control(running, 'start', host.identity, host.nickname)).toBe('training');
    // Every node that saw the key goes; the key expires.
    doomed.redis.disconnect();
    await new Promise((r) => setTimeout(r, ttlMs * 2));

    const fresh = await node({ runners: runners().owners });
    const seen = await fresh.registry.get(running.id);
    expect(seen?.state).toBe('training');
    await until('failed by the node started after', () => seen?.state === 'failed', 10_000);
    expect(seen?.summary().message).toBe(RUNNER_LOST_MESSAGE);
    await until('the run stopped there', () => running.state === 'failed', 10_000);
  });
});
