/**
 * Several machines: Redis restarts in the middle of a live session. The test runs a Redis of its
 * own (another port, append-only file in a temporary folder, as the README asks of production) so
 * the shared Redis of the other test files is not touched. Two in-process web nodes, a session
 * training in node A's threads (TRAINERS=local) with a viewer on node B; Redis is stopped for two
 * seconds and started again: both nodes say in the log that they lost and regained it, and the
 * viewer on node B still gets every event that must arrive, in order, to the end of the session.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionEvent } from '../../lib/protocol';
import { freePort } from '../../server/net';
import { connectClient, ok, pickNickname, startTestServer, type TestClient, type TestServer } from '../helpers/server';

const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
let redis: ChildProcess | undefined;
let dir: string;
let port: number;
let nodeA: TestServer;
let nodeB: TestServer;
const clients: TestClient[] = [];
const logged: string[] = [];

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .trim() === 'PONG'
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the test Redis did not start');
}

/** SIGTERM: Redis writes its append-only file and exits, as a restart by an operator would. */
function stopRedis(): Promise<void> {
  return new Promise((resolve) => {
    if (!redis || redis.exitCode !== null) return resolve();
    redis.once('exit', () => resolve());
    redis.kill('SIGTERM');
  });
}

beforeAll(async () => {
  if (!hasRedisServer) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'redis-restart-'));
  port = await freePort();
  await startRedis();
  const url = `redis://127.0.0.1:${port}`;
  const sessions = {
    dataDir: FIXTURE,
    testLimit: 200,
    trainers: 'local' as const,
    outRoot: path.join(dir, 'sessions'),
  };
  nodeA = await startTestServer({ redisUrl: url, redisPrefix: 'fmp:', sessions });
  nodeB = await startTestServer({ redisUrl: url, redisPrefix: 'fmp:', sessions, database: nodeA.database });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await nodeB?.close();
  await nodeA?.close();
  await stopRedis();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!hasRedisServer)('Redis restarting mid-session', () => {
  it('leaves both nodes reconnected, saying so, and the viewer on the other node missing nothing', {
    timeout: 180_000,
  }, async () => {
    const log = (...args: unknown[]) => logged.push(args.map(String).join(' '));
    const errorSpy = vi.spyOn(console, 'error').mockImplementation(log);
    const logSpy = vi.spyOn(console, 'log').mockImplementation(log);
    try {
      const { cookie } = await pickNickname(nodeA.url, 'Ada');
      const host = await connectClient(nodeA.url, cookie);
      const viewer = await connectClient(nodeB.url);
      clients.push(host, viewer);
      const seen: SessionEvent[] = [];
      viewer.on('session:event', ({ event }) => seen.push(event));
      viewer.on('session:batch', ({ event }) => seen.push(event));
      const { sessionId } = await ok(host, 'session:create', {
        config: { name: 'through a restart', kind: 'cnn', epochs: 4, batchSize: 32, trainLimit: 512 },
      });
      await ok(host, 'session:join', { sessionId, since: null });
      const joined = await ok(viewer, 'session:join', { sessionId, since: null });
      seen.push(...joined.events);
      await ok(host, 'session:control', { sessionId, action: 'start' });
      await until('training', () => seen.some((e) => e.type === 'batch'));

      await stopRedis();
      expect(seen.some((e) => e.type === 'state' && e.state === 'finished')).toBe(false);
      await new Promise((r) => setTimeout(r, 2000)); // the run goes on; its events wait in the nodes' queues
      await startRedis();
      const restartedAt = Date.now();

      await until('the end of the session', () => seen.some((e) => e.type === 'state' && e.state === 'finished'));
      const text = logged.join('\n');
      expect(text).toMatch(/\[redis\] .*(connection lost|reconnecting)/);
      expect(text).toMatch(/\[redis\] .*reconnected/);
      // Everything that must arrive did, once and in order (batches are volatile and may be skipped).
      const reliable = seen.filter((e) => e.type !== 'batch');
      const seqs = seen.map((e) => e.seq);
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
      const snapshot = await ok(host, 'session:join', { sessionId, since: null }); // node A's copy
      expect(reliable).toEqual(snapshot.events.filter((e) => e.type !== 'batch'));
      expect(reliable.filter((e) => e.type === 'epoch')).toHaveLength(4);
      expect(reliable.at(-1)!.at).toBeGreaterThan(restartedAt); // the session really went on after the restart
    } finally {
      errorSpy.mockRestore();
      logSpy.mockRestore();
    }
  });
});
