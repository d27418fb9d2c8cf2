/**
 * Worker thread of `npm run bench:sketch`: simulated drawers, each a real Socket.IO client on
 * loopback sending draw:recognize at a fixed rate (requests in flight are not queued up: a drawer
 * skips a tick while it waits, as the page does). Runs off the server's thread so the clients do
 * not compete with the server for its event loop. Posts the round-trip times when done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { io } from 'socket.io-client';
import { mulberry32 } from '../../ml/data/random';
import { benchDrawing } from './drawings';

export interface DrawersInput {
  url: string;
  drawers: number;
  perSecond: number;
  seconds: number;
}

export interface DrawersResult {
  latenciesMs: number[];
  sent: number;
  failed: number;
  errors: string[];
  skipped: number;
}

const { url, drawers, perSecond, seconds } = workerData as DrawersInput;
const result: DrawersResult = { latenciesMs: [], sent: 0, failed: 0, errors: [], skipped: 0 };

const sockets = await Promise.all(
  Array.from({ length: drawers }, () => {
    const s = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    return new Promise<typeof s>((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }),
);

const interval = 1000 / perSecond;
const end = performance.now() + seconds * 1000;
await Promise.all(
  sockets.map(async (socket, d) => {
    const rand = mulberry32(d + 1);
    const drawing = benchDrawing(rand);
    // Spread the drawers over one interval, so they do not all fire on the same tick.
    await new Promise((r) => setTimeout(r, (d / drawers) * interval));
    let next = performance.now();
    while (performance.now() < end) {
      const started = performance.now();
      result.sent++;
      const reply = (await socket
        .timeout(5000)
        .emitWithAck('draw:recognize' as never, { strokes: drawing } as never)
        .catch((e: Error) => ({ ok: false, error: e.message }))) as { ok: boolean; error?: string };
      const elapsed = performance.now() - started;
      if (reply.ok) result.latenciesMs.push(elapsed);
      else {
        result.failed++;
        if (result.errors.length < 3) result.errors.push(reply.error ?? 'unknown');
      }
      next += interval;
      while (next < performance.now()) {
        next += interval;
        result.skipped++;
      }
      await new Promise((r) => setTimeout(r, next - performance.now()));
    }
  }),
);
for (const s of sockets) s.disconnect();
parentPort!.postMessage(result);
