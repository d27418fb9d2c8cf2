/**
 * npm run bench:realtime -- --clients 500
 * Starts the playground server in this process (on 127.0.0.1, with a throw-away embedded database
 * and data folder), connects N Socket.IO clients from a worker thread to one training session on a
 * small subset, and prints the delivery latency of the per-batch metric events (p50/p95/p99), the
 * events lost of those that must arrive, and the server's event-loop lag while it trains. The
 * clients run on their own thread so their work does not count as the server's lag.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command } from 'commander';
import { runCli, UserFacingError } from '../errors';
import { numberOption } from './options';

export interface BenchSettings {
  url: string;
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

export interface BenchResult {
  joinSeconds: number;
  trainSeconds: number;
  finalState: string;
  /** Per-batch metric events the server sent, and deliveries to all clients together. */
  batchEventsSent: number;
  batchDeliveries: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Must-arrive events (states, epochs, saved model) over all clients, and how many never arrived. */
  reliableExpected: number;
  reliableLost: number;
  /** Clients whose events were out of order or duplicated (must be 0). */
  disordered: number;
}

/** Lag below the monitor's own timer resolution is not lag. */
const LAG_RESOLUTION_MS = 5;

async function main(): Promise<void> {
  const program = new Command('bench:realtime')
    .description('Measure live-session delivery to many clients: latency, losses, server event-loop lag.')
    .option('--clients <n>', 'Socket.IO clients watching the session', numberOption, 200)
    .option('--train-limit <n>', 'training images of the session', numberOption, 3000)
    .option('--epochs <n>', 'epochs of the session', numberOption, 2)
    .option('--batch-size <n>', 'batch size of the session', numberOption, 64)
    .option('--max-seconds <n>', 'stop the session after this long', numberOption, 240)
    .option('--data-dir <dir>', 'folder with the Fashion-MNIST IDX files (default: the usual, else the test subset)')
    .parse();
  const o = program.opts<{
    clients: number;
    trainLimit: number;
    epochs: number;
    batchSize: number;
    maxSeconds: number;
    dataDir?: string;
  }>();
  if (!Number.isInteger(o.clients) || o.clients < 1 || o.clients > 2000)
    throw new UserFacingError('--clients must be a whole number from 1 to 2000.');

  // A throw-away data folder and embedded database, so the benchmark's session and model never
  // land in the playground's own database. Set before server/env.ts parses the environment.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-realtime-'));
  process.env.DATA_DIR = scratch;
  delete process.env.DATABASE_URL;
  process.env.NEXT_TELEMETRY_DISABLED = '1';
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
    const { ensureNextBuild } = await import('../../scripts/start.mjs');
    await ensureNextBuild({ quiet: false });
    const { startServer } = await import('../main');
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dev: false,
      quiet: true,
      sessions: { dataDir, maxTraining: 1 },
    });
    const backend = server.status.current().backend.name ?? 'none';
    console.log(
      `realtime benchmark: ${o.clients} clients, one CNN session (${o.trainLimit} images of ${dataDir}, ${o.epochs} epochs, batch ${o.batchSize}), backend ${backend}, ${os.availableParallelism()} cores`,
    );
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    try {
      const { spawnTsWorker } = await import('../threads/spawn');
      const settings: BenchSettings = {
        url: server.url,
        clients: o.clients,
        trainLimit: o.trainLimit,
        epochs: o.epochs,
        batchSize: o.batchSize,
        maxSeconds: o.maxSeconds,
      };
      const worker = spawnTsWorker(new URL(import.meta.url), { settings });
      const result = await new Promise<BenchResult>((resolve, reject) => {
        worker.on('message', (m: BenchMessage) => {
          if (m.type === 'training') lag.enable();
          else if (m.type === 'progress') console.log(`  ${m.text}`);
          else if (m.type === 'result') resolve(m.result);
          else reject(new UserFacingError(`the benchmark clients failed: ${m.message}`));
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`the client thread exited with code ${code}`)));
      });
      lag.disable();
      await worker.terminate();
      report(o.clients, result, lag);
    } finally {
      await server.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function report(clients: number, r: BenchResult, lag: ReturnType<typeof monitorEventLoopDelay>): void {
  const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
  const lagP99 = ms(lag.percentile(99));
  const dropped = r.batchEventsSent * clients - r.batchDeliveries;
  console.log(
    `  training: ${r.trainSeconds.toFixed(1)} s, ended ${r.finalState}; ${r.batchEventsSent} batch-metric events sent to each client`,
  );
  console.log(
    `  metric delivery latency: p50 ${r.latencyMs.p50.toFixed(1)} ms, p95 ${r.latencyMs.p95.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(0)} ms (${r.batchDeliveries.toLocaleString('en')} deliveries)`,
  );
  console.log(
    `  batch metrics dropped (volatile, allowed): ${dropped.toLocaleString('en')} of ${(r.batchEventsSent * clients).toLocaleString('en')}`,
  );
  console.log(
    `  must-arrive events lost: ${r.reliableLost} of ${r.reliableExpected.toLocaleString('en')}; clients with events out of order or twice: ${r.disordered}`,
  );
  console.log(
    `  server event-loop lag while training: p50 ${ms(lag.percentile(50)).toFixed(1)} ms, p99 ${lagP99.toFixed(1)} ms, max ${ms(lag.max).toFixed(1)} ms`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  goals: p95 <= 100 ms ${verdict(r.latencyMs.p95 <= 100)}, nothing lost ${verdict(r.reliableLost === 0 && r.disordered === 0)}, lag p99 <= 20 ms ${verdict(lagP99 <= 20)}` +
      (clients < 500 ? ' (the issue sets them for 500 clients: --clients 500)' : ''),
  );
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
