/**
 * npm run bench:sketch -- [--model models/cnn] [--seconds 4] [--max-drawers 256] [--json]
 * Server-side drawing recognition: latency at batch 1 (p50, p99) of preprocessing + CNN and of the
 * CNN alone, then how many concurrent drawers the recognition socket sustains when each sends 10
 * requests per second: real Socket.IO clients on loopback (in a worker thread) against the real
 * draw handlers, doubling the drawers, then bisecting, until p95 exceeds 50 ms or the rate drops.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command } from 'commander';
import { Server } from 'socket.io';
import { env } from '../env';
import { runCli } from '../errors';
import { backendInfo, initBackend } from '../ml/backend';
import { mulberry32 } from '../ml/data/random';
import { sketchToImage28 } from '../../lib/sketch/preprocess';
import { benchDrawing } from '../recognition/bench/drawings';
import type { DrawersInput, DrawersResult } from '../recognition/bench/drawers';
import { Recognizer } from '../recognition/recognizer';
import { MAX_PAYLOAD_BYTES } from '../../lib/protocol';
import type { PlaygroundServer } from '../sockets';
import { attachDraw } from '../realtime/draw/handlers';
import { spawnTsWorker } from '../threads/spawn';
import { numberOption } from './options';

const PER_SECOND = 10;
const P95_LIMIT_MS = 50;

const program = new Command('bench:sketch')
  .description('Measure drawing recognition latency and how many drawers the server sustains.')
  .option('--model <dir>', 'model folder', path.join(env.MODELS_DIR, 'cnn'))
  .option('--requests <n>', 'recognitions measured for the latency figures', numberOption, 2000)
  .option('--seconds <n>', 'duration of each concurrency step', numberOption, 4)
  .option('--max-drawers <n>', 'upper bound of the concurrency search', numberOption, 256)
  .option('--json', 'print one JSON object on stdout');

const quantile = (values: number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

interface Step {
  drawers: number;
  p50: number;
  p95: number;
  p99: number;
  /** Achieved requests per second over the target (drawers x 10). */
  rateRatio: number;
  failed: number;
  ok: boolean;
}

await runCli(async () => {
  program.parse();
  const o = program.opts<{ model: string; requests: number; seconds: number; maxDrawers: number; json?: boolean }>();
  const log = (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n');
  await initBackend();
  const recognizer = new Recognizer(o.model);
  const model = await recognizer.model();
  log(`model ${model.version} (${model.params.toLocaleString('en')} parameters), backend ${backendInfo()?.name}`);

  // Batch-1 latency on this thread, as the socket handler runs it.
  const rand = mulberry32(1);
  const drawings = Array.from({ length: 64 }, () => benchDrawing(rand));
  const points = drawings.reduce((n, d) => n + d[0]!.points.length / 2, 0) / drawings.length;
  const full: number[] = [];
  const inference: number[] = [];
  for (let i = 0; i < o.requests + 200; i++) {
    const strokes = drawings[i % drawings.length]!;
    let t = performance.now();
    await recognizer.recognize(strokes);
    const total = performance.now() - t;
    const image = sketchToImage28(strokes)!;
    t = performance.now();
    await recognizer.classify(image);
    const alone = performance.now() - t;
    if (i >= 200) {
      full.push(total);
      inference.push(alone);
    }
  }
  const latency = {
    requests: o.requests,
    meanPoints: Math.round(points),
    preprocessAndCnn: { p50: quantile(full, 0.5), p99: quantile(full, 0.99) },
    cnnOnly: { p50: quantile(inference, 0.5), p99: quantile(inference, 0.99) },
  };
  log(`recognition at batch 1 (${o.requests} drawings of ~${latency.meanPoints} points):`);
  log(`  preprocessing + CNN  p50 ${ms(latency.preprocessAndCnn.p50)}  p99 ${ms(latency.preprocessAndCnn.p99)}`);
  log(`  CNN alone            p50 ${ms(latency.cnnOnly.p50)}  p99 ${ms(latency.cnnOnly.p99)}`);
  recognizer.dispose();

  // Concurrency: the real draw handlers on a Socket.IO server, clients in a worker thread.
  const httpServer = http.createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const io: PlaygroundServer = new Server(httpServer, { maxHttpBufferSize: MAX_PAYLOAD_BYTES, serveClient: false });
  const draw = await attachDraw(io, { modelDir: o.model, requestsPerSecond: 1000 });
  await draw.recognizer.model();
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  log(`concurrent drawers at ${PER_SECOND} requests/s each (${o.seconds} s per step, pass: p95 <= ${P95_LIMIT_MS} ms, >= 95 % of the rate, no errors):`);

  const steps: Step[] = [];
  const run = async (drawers: number): Promise<Step> => {
    const result = await runDrawers({ url, drawers, perSecond: PER_SECOND, seconds: o.seconds });
    const p95 = quantile(result.latenciesMs, 0.95);
    const rateRatio = result.latenciesMs.length / (drawers * PER_SECOND * o.seconds);
    const step: Step = {
      drawers,
      p50: quantile(result.latenciesMs, 0.5),
      p95,
      p99: quantile(result.latenciesMs, 0.99),
      rateRatio,
      failed: result.failed,
      ok: p95 <= P95_LIMIT_MS && rateRatio >= 0.95 && result.failed === 0,
    };
    steps.push(step);
    const errors = result.errors.length ? `  errors: ${result.errors.join('; ')}` : '';
    log(`  ${String(drawers).padStart(4)} drawers  p50 ${ms(step.p50)}  p95 ${ms(step.p95)}  p99 ${ms(step.p99)}  rate ${(100 * rateRatio).toFixed(0)} %  ${step.ok ? 'pass' : 'FAIL'}${errors}`);
    return step;
  };

  let good = 0;
  let bad = 0;
  for (let n = 1; n <= o.maxDrawers; n *= 2) {
    if ((await run(n)).ok) good = n;
    else {
      bad = n;
      break;
    }
  }
  // Bisect between the last passing and the first failing count, to within ~10 %.
  while (bad && bad - good > Math.max(1, good / 10)) {
    const mid = Math.round((good + bad) / 2);
    if ((await run(mid)).ok) good = mid;
    else bad = mid;
  }
  draw.detach();
  io.close();
  const summary = { model: model.version, backend: backendInfo()?.name, latency, perSecond: PER_SECOND, p95LimitMs: P95_LIMIT_MS, sustainedDrawers: good, bounded: bad === 0, steps };
  log(`sustained: ${good}${bad === 0 ? '+ (the search bound)' : ''} concurrent drawers at ${PER_SECOND} requests/s with p95 <= ${P95_LIMIT_MS} ms`);
  if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
  process.exit(0);
});

function runDrawers(input: DrawersInput): Promise<DrawersResult> {
  return new Promise((resolve, reject) => {
    const worker = spawnTsWorker(new URL('../recognition/bench/drawers.ts', import.meta.url), input);
    worker.once('message', (m: DrawersResult) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
