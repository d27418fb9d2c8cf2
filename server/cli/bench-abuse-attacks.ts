/**
 * The attacks of issue 21 that `npm run bench:abuse` runs against a server while it times pages,
 * each as an attacker would play it over the network (real Socket.IO clients and HTTP requests),
 * from `addresses` client addresses (the server trusts one proxy hop, X-Forwarded-For; 1: one
 * person at home), each connection reconnecting a second after the server cuts it off:
 *  - expensive drawings at the allowed rate: 6,000 points piled in a 1x1 box at pen width 200
 *    (once ~500 ms of CPU each), 20 draw:recognize a second per connection;
 *  - a flood of malformed payloads to every socket request, as fast as the server answers;
 *  - guest minting: POST /api/identity as fast as it answers;
 *  - slow clients that stop reading and keep asking, 10 requests a second each.
 * `start` returns a stop function that ends them and returns what each achieved.
 */
import type net from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { clientRequests } from '../../lib/protocol';
import { mulberry32 } from '../ml/data/random';

export interface AttackSettings {
  url: string;
  /** Connections sending expensive drawings, each at RATE_PER_DRAWER a second. */
  drawers: number;
  /** Connections flooding malformed payloads. */
  flooders: number;
  /** Concurrent POST /api/identity loops (one address). */
  minters: number;
  /** Connections that stop reading. */
  stalled: number;
  /** Client addresses the attacker plays from. */
  addresses: number;
}

/** What the attacks got: answers by kind (ok / refused with a sentence), and cut connections. */
export interface AttackCounts {
  drawings: { sent: number; ok: number; refused: number };
  malformed: { sent: number; answered: number; cutOff: number };
  guests: { created: number; refused: number; failed: number };
  stalled: { connections: number; cutOff: number };
}

/** The per-connection recognition rate the default limits allow (server/limits.ts: 20/s per guest). */
export const RATE_PER_DRAWER = 20;
const FLOOD_WINDOW = 64;

/** The 24 KB drawing of the issue: 6,000 points inside a 1x1 box, drawn with the widest pen. */
export function pileOfPoints(): { points: number[]; width: number }[] {
  const rand = mulberry32(21);
  const points: number[] = [];
  for (let i = 0; i < 6000; i++)
    points.push(200 + Math.round(rand() * 100) / 100, 200 + Math.round(rand() * 100) / 100);
  return [{ points, width: 200 }];
}

const MALFORMED: unknown[] = [
  null,
  undefined,
  42,
  'x'.repeat(2000),
  [],
  { id: 2 ** 31 },
  { id: -1, roundId: 'x', roomId: '\u0000' },
  { strokes: [{ points: [1], width: -1 }] },
  { nickname: 'a\u0000b', sessionId: 'nope' },
  { config: { name: '', epochs: 1e9 } },
  { token: 'x'.repeat(500), target: { kind: 'nothing' } },
  { __proto__: { polluted: true } },
];

export function startAttacks(s: AttackSettings): { stop(): Promise<AttackCounts> } {
  const counts: AttackCounts = {
    drawings: { sent: 0, ok: 0, refused: 0 },
    malformed: { sent: 0, answered: 0, cutOff: 0 },
    guests: { created: 0, refused: 0, failed: 0 },
    stalled: { connections: 0, cutOff: 0 },
  };
  let running = true;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let nextAddress = 0;
  const address = () => `198.51.100.${(nextAddress++ % s.addresses) + 1}`;
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (running) fn();
    }, ms);
    timers.add(t);
  };
  const socket = (): Socket => {
    const c = connect(s.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { 'x-forwarded-for': address() },
    });
    sockets.add(c);
    c.on('disconnect', () => sockets.delete(c));
    return c;
  };
  const emit = (c: Socket, name: string, payload: unknown, done: (reply: { ok?: boolean }) => void) =>
    (c.emit as (...a: unknown[]) => void)(name, payload, done);

  // Expensive drawings at the allowed rate.
  const drawing = { strokes: pileOfPoints() };
  const draw = () => {
    const c = socket();
    const pump = setInterval(() => {
      if (!c.connected) return;
      counts.drawings.sent++;
      emit(c, 'draw:recognize', drawing, (r) => void (r?.ok ? counts.drawings.ok++ : counts.drawings.refused++));
    }, 1000 / RATE_PER_DRAWER);
    timers.add(pump);
    c.on('disconnect', () => {
      clearInterval(pump);
      timers.delete(pump);
      later(draw, 1000);
    });
  };
  for (let i = 0; i < s.drawers; i++) draw();

  // Malformed payloads to every request, a window of them in flight per connection.
  const names = Object.keys(clientRequests);
  const rand = mulberry32(7);
  const flood = () => {
    const c = socket();
    const next = () => {
      if (!running || !c.connected) return;
      counts.malformed.sent++;
      const name = names[Math.floor(rand() * names.length)]!;
      emit(c, name, MALFORMED[Math.floor(rand() * MALFORMED.length)], () => {
        counts.malformed.answered++;
        next();
      });
    };
    c.on('connect', () => {
      for (let k = 0; k < FLOOD_WINDOW; k++) next();
    });
    c.on('disconnect', () => {
      counts.malformed.cutOff++;
      later(flood, 1000);
    });
  };
  for (let i = 0; i < s.flooders; i++) flood();

  // Guest minting from one address.
  const mint = async () => {
    for (let n = 0; running; n++) {
      try {
        const res = await fetch(`${s.url}/api/identity`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address() },
          body: JSON.stringify({ nickname: `minted ${n}` }),
        });
        await res.arrayBuffer();
        if (res.status === 200) counts.guests.created++;
        else counts.guests.refused++;
      } catch {
        counts.guests.failed++;
      }
    }
  };
  const minting = Array.from({ length: s.minters }, mint);

  // Clients that stop reading and keep asking; one cut off is replaced by a new one.
  const stall = () => {
    const c = socket();
    counts.stalled.connections++;
    let pump: NodeJS.Timeout | undefined;
    c.on('connect', () => {
      (c.io.engine.transport as unknown as { ws: { _socket: net.Socket } }).ws._socket.pause();
      pump = setInterval(() => c.emit('status:get' as never, {} as never, (() => {}) as never), 100);
      timers.add(pump);
    });
    c.on('disconnect', () => {
      clearInterval(pump);
      if (pump) timers.delete(pump);
      counts.stalled.cutOff++;
      later(stall, 1000);
    });
    c.on('connect_error', () => later(stall, 1000));
  };
  for (let i = 0; i < s.stalled; i++) stall();

  return {
    async stop() {
      running = false;
      for (const t of timers) clearTimeout(t);
      // Counted before closing: the attacker's own disconnects are not the server's doing.
      const result = structuredClone(counts);
      for (const c of sockets) {
        c.removeAllListeners('disconnect');
        c.disconnect();
      }
      await Promise.all(minting);
      return result;
    },
  };
}
