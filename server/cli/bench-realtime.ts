/**
 * npm run bench:realtime -- --clients 500 [--nodes 2]
 * Starts the playground server in this process (on 127.0.0.1, with a throw-away embedded database
 * and data folder), connects N Socket.IO clients from a worker thread to one training session on a
 * small subset, and prints the delivery latency of the per-batch metric events (p50/p95/p99), the
 * events lost of those that must arrive, and the server's event-loop lag while it trains. The
 * clients run on their own thread so their work does not count as the server's lag.
 * With --nodes N (2 or more), several machines on this one (issue 20): N web nodes and one trainer
 * as child processes on a Redis and a fresh PostgreSQL database (bench-realtime-cluster.ts), the
 * clients dealt out evenly over the nodes, and each node's own event-loop lag.
 */
import { RELAXED_MESSAGE_BUDGET } from '../limits';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { startLocalServer } from './bench';
import { type LagFigures, lagMonitor } from './bench-realtime-lag';
import { numberOption } from './options';

export interface BenchSettings {
  /** The web nodes; clients are dealt out over them in turn, the host on the first. */
  urls: string[];
  clients: number;
  trainLimit: number;
  epochs: number;
  batchSize: number;
  maxSeconds: number;
}

export type BenchMessage =
  | { type: 'training' }
  | { type: 'progress'; text: string }
  | { type: 'result'; result: BenchResult }
  | { type: 'error'; message: string };

/** What a set of clients received. */
export interface DeliveryFigures {
  clients: number;
  /** Deliveries of per-batch metric events to these clients together. */
  batchDeliveries: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Must-arrive events (states, epochs, saved model) over these clients, and how many never arrived. */
  reliableExpected: number;
  reliableLost: number;
  /** Clients whose events were out of order or duplicated (must be 0). */
  disordered: number;
}

/** All clients together, and those of each node (in the order of BenchSettings.urls). */
export interface BenchResult extends DeliveryFigures {
  joinSeconds: number;
  trainSeconds: number;
  finalState: string;
  /** Per-batch metric events the session produced (each client should get each). */
  batchEventsSent: number;
  byNode: DeliveryFigures[];
  /** The clients' own thread while the session trained: a busy one delays what it measures. */
  clientsLag: LagFigures;
}

/** What the clients connect to: one server or several web nodes, each able to measure its lag. */
interface Target {
  nodes: { name: string; url: string; startLag(): void; stopLag(): Promise<LagFigures> }[];
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const program = new Command('bench:realtime')
    .description('Measure live-session delivery to many clients: latency, losses, server event-loop lag.')
    .option('--clients <n>', 'Socket.IO clients watching the session', numberOption, 200)
    .option('--nodes <n>', 'web nodes: 1 serves from this process; more start web nodes and a trainer', numberOption, 1)
    .option('--train-limit <n>', 'training images of the session', numberOption, 3000)
    .option('--epochs <n>', 'epochs of the session', numberOption, 2)
    .option('--batch-size <n>', 'batch size of the session', numberOption, 64)
    .option('--max-seconds <n>', 'stop the session after this long', numberOption, 240)
    .option('--data-dir <dir>', 'folder with the Fashion-MNIST IDX files (default: the usual, else the test subset)')
    .option('--redis-url <url>', 'with --nodes: the Redis the nodes share', 'redis://127.0.0.1:6379')
    .option(
      '--postgres-url <url>',
      'with --nodes: a PostgreSQL server (any database) to create a throw-away database on',
      'postgresql://postgres@127.0.0.1:5432/postgres',
    )
    .parse();
  const o = program.opts();
  if (!Number.isInteger(o.clients) || o.clients < 1 || o.clients > 10_000)
    throw new UserFacingError('--clients must be a whole number from 1 to 10000.');
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 8)
    throw new UserFacingError('--nodes must be a whole number from 1 to 8.');

  // A throw-away data folder and embedded database, so the benchmark's session and model never
  // land in the playground's own database. Set before server/env.ts parses the environment.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-realtime-'));
  process.env.DATA_DIR = scratch;
  delete process.env.DATABASE_URL;
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  let target: Target | undefined;
  // Ctrl-C: the child processes, the database and the Redis keys go too.
  const interrupt = () => {
    console.log('interrupted: cleaning up...');
    void (target?.close() ?? Promise.resolve())
      .then(() => rm(scratch, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const { resolveDataDir } = await import('../ml/data/fashionMnist');
    const fixture = fileURLToPath(new URL('../../tests/fixtures/fashion-mnist', import.meta.url));
    const dataDir =
      o.dataDir ??
      (() => {
        try {
          return resolveDataDir().dir;
        } catch {
          return fixture;
        }
      })();
    const session = `one CNN session (${o.trainLimit} images of ${dataDir}, ${o.epochs} epochs, batch ${o.batchSize})`;
    const cores = `${os.availableParallelism()} cores`;
    if (o.nodes === 1) {
      const { ensureNextBuild } = await import('../../scripts/start.mjs');
      await ensureNextBuild({ quiet: false });
      const server = await startLocalServer({
        sessions: { dataDir, maxTraining: 1 },
        // Capacity, not abuse limits: every simulated viewer connects from 127.0.0.1.
        messageBudget: RELAXED_MESSAGE_BUDGET,
      });
      const lag = lagMonitor();
      target = {
        nodes: [{ name: 'server', url: server.url, startLag: lag.start, stopLag: async () => lag.stop() }],
        close: () => server.close(),
      };
      const backend = server.status.current().backend.name ?? 'none';
      console.log(`realtime benchmark: ${o.clients} clients, ${session}, backend ${backend}, ${cores}`);
    } else {
      const { startCluster } = await import('./bench-realtime-cluster');
      console.log(`starting ${o.nodes} web nodes and a trainer...`);
      const cluster = await startCluster({
        nodes: o.nodes,
        postgresUrl: o.postgresUrl,
        redisUrl: o.redisUrl,
        fashionMnistDir: dataDir,
        scratch,
      });
      target = cluster;
      console.log(
        `realtime benchmark: ${o.clients} clients over ${o.nodes} web nodes (${cluster.nodes.map((n) => n.url).join(', ')}) ` +
          `and one trainer (backend ${cluster.trainerBackend}), ${session}, ${cores}`,
      );
    }
    const nodes = target.nodes;
    const { spawnTsWorker } = await import('../threads/spawn');
    const settings: BenchSettings = {
      urls: nodes.map((n) => n.url),
      clients: o.clients,
      trainLimit: o.trainLimit,
      epochs: o.epochs,
      batchSize: o.batchSize,
      maxSeconds: o.maxSeconds,
    };
    const worker = spawnTsWorker(new URL(import.meta.url), { settings });
    const result = await new Promise<BenchResult>((resolve, reject) => {
      worker.on('message', (m: BenchMessage) => {
        if (m.type === 'training') for (const n of nodes) n.startLag();
        else if (m.type === 'progress') console.log(`  ${m.text}`);
        else if (m.type === 'result') resolve(m.result);
        else reject(new UserFacingError(`the benchmark clients failed: ${m.message}`));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the client thread exited with code ${code}`)));
    });
    const lags = await Promise.all(nodes.map((n) => n.stopLag()));
    await worker.terminate();
    if (o.nodes === 1) report(result, lags[0]!);
    else
      reportNodes(
        result,
        nodes.map((n) => n.name),
        lags,
      );
  } finally {
    await target?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

function reportCommon(r: BenchResult): void {
  const dropped = r.batchEventsSent * r.clients - r.batchDeliveries;
  console.log(
    `  training: ${r.trainSeconds.toFixed(1)} s, ended ${r.finalState}; ${r.batchEventsSent} batch-metric events sent to each client`,
  );
  console.log(
    `  metric delivery latency: p50 ${r.latencyMs.p50.toFixed(1)} ms, p95 ${r.latencyMs.p95.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(0)} ms (${r.batchDeliveries.toLocaleString('en')} deliveries)`,
  );
  console.log(
    `  batch metrics dropped (volatile, allowed): ${dropped.toLocaleString('en')} of ${(r.batchEventsSent * r.clients).toLocaleString('en')}`,
  );
  console.log(
    `  must-arrive events lost: ${r.reliableLost} of ${r.reliableExpected.toLocaleString('en')}; clients with events out of order or twice: ${r.disordered}`,
  );
  console.log(
    `  the clients' thread while training: busy ${percent(r.clientsLag.busy)}, event-loop lag p99 ${r.clientsLag.p99.toFixed(1)} ms, max ${r.clientsLag.max.toFixed(1)} ms (its delays count in the delivery latency)`,
  );
}

const percent = (share: number) => `${(100 * share).toFixed(0)} %`;

/** One server in this process. */
function report(r: BenchResult, lag: LagFigures): void {
  reportCommon(r);
  console.log(
    `  server event-loop lag while training: p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms (busy ${percent(lag.busy)})`,
  );
  console.log(
    `  goals: p95 <= 100 ms ${verdict(r.latencyMs.p95 <= 100)}, nothing lost ${verdict(r.reliableLost === 0 && r.disordered === 0)}, lag p99 <= 20 ms ${verdict(lag.p99 <= 20)}` +
      (r.clients < 500 ? ' (the issue sets them for 500 clients: --clients 500)' : ''),
  );
}

/** Several web nodes: each node's figures side by side with the targets, then one line per target. */
function reportNodes(r: BenchResult, names: string[], lags: LagFigures[]): void {
  reportCommon(r);
  const rows: [string, (i: number) => string, string][] = [
    ['clients', (i) => String(r.byNode[i]!.clients), ''],
    ['delivery p50 (ms)', (i) => r.byNode[i]!.latencyMs.p50.toFixed(1), ''],
    ['delivery p95 (ms)', (i) => r.byNode[i]!.latencyMs.p95.toFixed(1), '<= 100'],
    ['delivery p99 (ms)', (i) => r.byNode[i]!.latencyMs.p99.toFixed(1), ''],
    ['delivery max (ms)', (i) => r.byNode[i]!.latencyMs.max.toFixed(0), ''],
    ['must-arrive lost', (i) => `${r.byNode[i]!.reliableLost} of ${r.byNode[i]!.reliableExpected}`, '0'],
    ['clients out of order', (i) => String(r.byNode[i]!.disordered), '0'],
    ['event-loop lag p50 (ms)', (i) => lags[i]!.p50.toFixed(1), ''],
    ['event-loop lag p99 (ms)', (i) => lags[i]!.p99.toFixed(1), '<= 20'],
    ['event-loop lag max (ms)', (i) => lags[i]!.max.toFixed(1), ''],
    ['event loop busy', (i) => percent(lags[i]!.busy), ''],
  ];
  const width = 16;
  console.log(`  ${''.padEnd(24)}${names.map((n) => n.padStart(width)).join('')}${'target'.padStart(width)}`);
  for (const [label, cell, goal] of rows)
    console.log(`  ${label.padEnd(24)}${names.map((_, i) => cell(i).padStart(width)).join('')}${goal.padStart(width)}`);
  const worstLag = Math.max(...lags.map((l) => l.p99));
  const lagList = names.map((n, i) => `${n} ${lags[i]!.p99.toFixed(1)} ms`).join(', ');
  console.log(
    `  goal: delivery p95 <= 100 ms: ${verdict(r.latencyMs.p95 <= 100)} (all clients: ${r.latencyMs.p95.toFixed(1)} ms)`,
  );
  console.log(
    `  goal: nothing lost: ${verdict(r.reliableLost === 0 && r.disordered === 0)} (${r.reliableLost} must-arrive events lost, ${r.disordered} clients out of order)`,
  );
  console.log(`  goal: event-loop lag p99 <= 20 ms on every node: ${verdict(worstLag <= 20)} (${lagList})`);
}

if (isMainThread) {
  await runCli(main);
  process.exit(0);
} else {
  const { runClients } = await import('./bench-realtime-clients');
  const post = (m: BenchMessage) => parentPort!.postMessage(m);
  runClients((workerData as { settings: BenchSettings }).settings, post).then(
    (result) => post({ type: 'result', result }),
    (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
}
