/**
 * The client half of `npm run bench:realtime`, run in a worker thread: N real Socket.IO clients
 * join one session (the first creates and hosts it), each keeps a SessionTimeline exactly as the
 * page does, and each per-batch metric event's delivery latency is recorded (server send time to
 * arrival; one machine, one clock). With several web nodes the clients are dealt out over them in
 * turn, the host on the first, and the figures are kept per node as well. At the end every
 * client's must-arrive events are compared with the session's full history as a fresh client of
 * the first node receives it.
 */
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Reply, ServerToClientEvents } from '../../lib/protocol';
import { SessionTimeline } from '../../lib/sessions/timeline';
import type { BenchMessage, BenchResult, BenchSettings, DeliveryFigures } from './bench-realtime';
import { lagMonitor } from './bench-realtime-lag';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Watcher {
  socket: Client;
  /** Index of the node (settings.urls) it is connected to. */
  node: number;
  timeline: SessionTimeline;
  /** Seq of every live event as it arrived (to check order and duplicates). */
  arrivals: number[];
  batchDeliveries: number;
}

const CONNECT_CONCURRENCY = 50;
/** The clients have caught up with the join storm when no presence update arrived for this long. */
const SETTLED_AFTER_MS = 1000;
const MAX_SETTLE_MS = 120_000;

function request(c: Client, event: string, payload: unknown, timeoutMs = 30_000): Promise<Reply<any>> {
  const raw = c.timeout(timeoutMs) as unknown as { emitWithAck(ev: string, p: unknown): Promise<Reply<any>> };
  return raw.emitWithAck(event, payload);
}

async function ok(reply: Promise<Reply<any>>, what: string): Promise<any> {
  const r = await reply;
  if (!r.ok) throw new Error(`${what} refused: ${r.error}`);
  return r.data;
}

/** The host's guest cookie: a session is hosted by a guest (POST /api/identity, as a page does). */
async function hostCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/api/identity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nickname: 'bench host' }),
  });
  if (!res.ok) throw new Error(`choosing the host's nickname failed: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

function open(url: string, cookie?: string): Promise<Client> {
  const socket: Client = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: cookie ? { cookie } : {},
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export async function runClients(s: BenchSettings, post: (m: BenchMessage) => void): Promise<BenchResult> {
  const latencies: number[][] = s.urls.map(() => []);
  let lastPresence = 0;
  const watchers: Watcher[] = [];
  const watch = (socket: Client, node: number): Watcher => {
    const w: Watcher = { socket, node, timeline: new SessionTimeline(), arrivals: [], batchDeliveries: 0 };
    socket.on('session:batch', ({ event }) => {
      latencies[node]!.push(Date.now() - event.at);
      w.batchDeliveries++;
      w.arrivals.push(event.seq);
      w.timeline.live(event);
    });
    socket.on('session:event', ({ event }) => {
      w.arrivals.push(event.seq);
      w.timeline.live(event);
    });
    socket.on('session:presence', ({ changes, viewers }) => {
      lastPresence = Date.now();
      w.timeline.presence(changes, viewers);
    });
    watchers.push(w);
    return w;
  };

  const joinStart = Date.now();
  const host = watch(await open(s.urls[0]!, await hostCookie(s.urls[0]!)), 0);
  const { sessionId } = await ok(
    request(host.socket, 'session:create', {
      config: {
        name: `benchmark, ${s.clients} clients`,
        kind: 'cnn',
        epochs: s.epochs,
        batchSize: s.batchSize,
        trainLimit: s.trainLimit,
      },
    }),
    'session:create',
  );
  const join = async (w: Watcher) => {
    w.timeline.beginJoin();
    w.timeline.applyJoin(await ok(request(w.socket, 'session:join', { sessionId, since: null }), 'session:join'));
  };
  await join(host);
  for (let i = 1; i < s.clients; i += CONNECT_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, s.clients - i) }, (_, k) => i + k);
    await Promise.all(
      batch.map(async (k) => {
        const node = k % s.urls.length;
        await join(watch(await open(s.urls[node]!), node));
      }),
    );
  }
  const joinSeconds = (Date.now() - joinStart) / 1000;
  post({ type: 'progress', text: `joined: ${s.clients} clients in ${joinSeconds.toFixed(1)} s` });
  // Every join is announced to everyone in the session, and this one thread applies each
  // announcement for every client it plays (as each page would for itself): after a big join
  // storm it is seconds behind. Training starts once it has caught up (no announcement for a
  // second), so the figures measure delivery while training, not this thread's backlog.
  const settleStart = Date.now();
  while (Date.now() - lastPresence < SETTLED_AFTER_MS && Date.now() - settleStart < MAX_SETTLE_MS)
    await new Promise((r) => setTimeout(r, 100));
  post({
    type: 'progress',
    text: `settled: the clients had applied every presence update ${((Date.now() - settleStart) / 1000).toFixed(1)} s later`,
  });

  post({ type: 'training' });
  const lag = lagMonitor();
  lag.start();
  const trainStart = Date.now();
  await ok(request(host.socket, 'session:control', { sessionId, action: 'start' }), 'start');
  const ended = () => ['finished', 'stopped', 'failed'].includes(host.timeline.state ?? '');
  const deadline = trainStart + s.maxSeconds * 1000;
  let stopped = false;
  let lastReport = 0;
  while (!ended() || !watchers.every((w) => w.timeline.state === host.timeline.state)) {
    await new Promise((r) => setTimeout(r, 100));
    if (!stopped && Date.now() > deadline) {
      stopped = true;
      post({ type: 'progress', text: `--max-seconds ${s.maxSeconds} reached: stopping the session` });
      await ok(request(host.socket, 'session:control', { sessionId, action: 'stop' }), 'stop');
    }
    if (Date.now() > deadline + 60_000) break; // a client that never hears the end is counted below
    const last = host.timeline.batches.at(-1);
    if (last && Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      post({
        type: 'progress',
        text: `training: ${(100 * last.progress).toFixed(0)} %, ${Math.round(last.imagesPerSec)} img/s, loss ${last.loss.toFixed(3)}`,
      });
    }
  }
  const trainSeconds = (Date.now() - trainStart) / 1000;
  const clientsLag = lag.stop();

  // The reference: the whole history as a client joining now receives it.
  const probe = watch(await open(s.urls[0]!), 0);
  await join(probe);
  const reference = probe.timeline.reliableEvents().map((e) => e.seq);
  const lastSeq = probe.timeline.lastSeq;
  const clients = watchers.slice(0, -1);
  for (const w of watchers) w.socket.disconnect();
  const figures = (of: Watcher[], latency: number[]): DeliveryFigures => {
    let lost = 0;
    let disordered = 0;
    for (const w of of) {
      const have = new Set(w.timeline.reliableEvents().map((e) => e.seq));
      lost += reference.filter((seq) => !have.has(seq)).length;
      if (w.arrivals.some((seq, i) => i > 0 && seq <= w.arrivals[i - 1]!)) disordered++;
    }
    latency.sort((a, b) => a - b);
    return {
      clients: of.length,
      batchDeliveries: of.reduce((n, w) => n + w.batchDeliveries, 0),
      latencyMs: {
        p50: percentile(latency, 50),
        p95: percentile(latency, 95),
        p99: percentile(latency, 99),
        max: latency.at(-1) ?? Number.NaN,
      },
      reliableExpected: reference.length * of.length,
      reliableLost: lost,
      disordered,
    };
  };
  const byNode = s.urls.map((_, i) =>
    figures(
      clients.filter((w) => w.node === i),
      latencies[i]!,
    ),
  );
  return {
    joinSeconds,
    trainSeconds,
    finalState: host.timeline.state ?? 'unknown',
    batchEventsSent: lastSeq - reference.length,
    ...figures(clients, latencies.flat()),
    byNode,
    clientsLag,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
}
