/**
 * Sliced broadcasting to a big session room, over a real Socket.IO server and 150 real clients:
 * every client gets every message once and in order, even though the room is written in slices
 * across macrotasks, and the event loop is never held for the whole room at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlaygroundServer } from '../../server/sockets';
import { SessionBroadcaster, SHARDS, SLICE_ABOVE } from '../../server/realtime/sessions/broadcast';

const CLIENTS = 150;
const CHANNEL = 'session:bench';
let httpServer: http.Server;
let io: PlaygroundServer;
let broadcaster: SessionBroadcaster;
const clients: Socket[] = [];

beforeAll(async () => {
  httpServer = http.createServer();
  io = new Server(httpServer) as PlaygroundServer;
  broadcaster = new SessionBroadcaster(io, CHANNEL);
  io.on('connection', (socket) => void socket.join([CHANNEL, broadcaster.nextShard()]));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
      clients.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once('connect', resolve);
        c.once('connect_error', reject);
      });
    }),
  );
  await new Promise((r) => setTimeout(r, 100)); // the server side of the last connections has joined
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await new Promise<void>((resolve) => io.close(() => resolve()));
});

it('delivers every message once and in order to all clients of a room written in slices', async () => {
  expect(CLIENTS).toBeGreaterThan(SLICE_ABOVE);
  const shardSizes = Array.from(
    { length: SHARDS },
    (_, k) => io.sockets.adapter.rooms.get(`${CHANNEL}#${k}`)?.size ?? 0,
  );
  expect(shardSizes.reduce((a, b) => a + b, 0)).toBe(CLIENTS);
  expect(Math.max(...shardSizes) - Math.min(...shardSizes)).toBeLessThanOrEqual(1);

  const received = clients.map(() => [] as number[]);
  clients.forEach((c, i) =>
    c.on('session:event' as never, ((m: { seq: number }) => received[i]!.push(m.seq)) as never),
  );
  const COUNT = 40;
  // Sent in one synchronous burst, so later messages queue behind earlier ones' slices.
  for (let seq = 1; seq <= COUNT; seq++) {
    broadcaster.send((room) =>
      (io.to(room) as unknown as { emit(ev: string, m: unknown): void }).emit('session:event', { seq }),
    );
  }
  const expected = Array.from({ length: COUNT }, (_, i) => i + 1);
  const end = Date.now() + 20_000;
  while (received.some((r) => r.length < COUNT) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  for (const r of received) expect(r).toEqual(expected);
});
