/**
 * Several machines (issue 20): two web nodes on one Redis and one database are one playground for
 * Socket.IO: what node B emits reaches a client connected to node A, through the Redis streams
 * adapter; and the nodes count rate limits in that Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../lib/protocol';
import { deleteKeys, redisUrl, uniquePrefix, untilReady } from '../helpers/redis';
import { connectClient, pickNickname, startTestServer, type TestClient, type TestServer } from '../helpers/server';

const redisPrefix = uniquePrefix();
let nodeA: TestServer;
let nodeB: TestServer;
let client: TestClient;

beforeAll(async () => {
  nodeA = await startTestServer({ redisUrl: redisUrl(), redisPrefix });
  nodeB = await startTestServer({ redisUrl: redisUrl(), redisPrefix, database: nodeA.database });
  client = await connectClient(nodeA.url);
  await untilReady(nodeA.redis!, nodeB.redis!);
});

afterAll(async () => {
  client?.disconnect();
  await nodeB?.close();
  await nodeA?.close();
  await deleteKeys(redisPrefix);
});

/**
 * Emits from node B until the client on node A hears it: a node reads the adapter's stream from
 * "now" on, once its first read has started, which is a moment after startServer resolves.
 */
async function relayed(emit: (marked: Status) => void): Promise<Status> {
  const marked: Status = { ...nodeB.status.current(), serverTime: `from node B ${Math.random()}` };
  const heard = new Promise<Status>((resolve) => {
    const onStatus = (status: Status) => {
      if (status.serverTime !== marked.serverTime) return;
      client.off('status', onStatus);
      resolve(status);
    };
    client.on('status', onStatus);
  });
  const timer = setInterval(() => emit(marked), 100);
  emit(marked);
  try {
    return await heard;
  } finally {
    clearInterval(timer);
  }
}

describe('two nodes on one Redis', () => {
  it('counts rate limits in Redis', async () => {
    expect(nodeA.redis).toBeDefined();
    expect(nodeB.redis).not.toBe(nodeA.redis);
    await pickNickname(nodeB.url, 'Ada');
    expect(await nodeA.redis!.keys(`${redisPrefix}limit:identityCreate:address:*`)).toHaveLength(1);
  });

  it("relays node B's broadcast to a client of node A", async () => {
    const status = await relayed((s) => nodeB.io.emit('status', s));
    expect(status.serverTime).toMatch(/^from node B/);
  });

  it("relays node B's emit to a room whose socket is on node A", async () => {
    const id = client.id!;
    expect(nodeB.io.sockets.sockets.has(id)).toBe(false);
    const status = await relayed((s) => nodeB.io.to(id).emit('status', s));
    expect(status.serverTime).toMatch(/^from node B/);
  });
});
