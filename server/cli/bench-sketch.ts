/**
 * npm run bench:sketch -- [--model models/cnn] [--seconds 4] [--max-drawers 512] [--modes inline,worker] [--json]
 * Server-side drawing recognition, before and after in one run:
 * - latency at batch 1 (p50, p99) of the CNN alone: the layers model's predict (two branches for a
 *   mirror-averaging model, as served before) against the compiled chain (inference.ts: fused ops,
 *   both views in one batch of 2), the compiled chain with the original view only (what the mirror
 *   averaging costs), and the preprocessing (rasterizing) alone;
 * - images per second of the compiled chain at batch 1, 8 and 32 (what micro-batching buys);
 * - how many concurrent drawers the recognition socket sustains when each sends 10 requests per
 *   second: real Socket.IO clients on loopback (in a worker thread) against the real draw handlers,
 *   doubling the drawers, then bisecting, until p95 exceeds 50 ms or the rate drops; with
 *   recognition inline on the socket thread one request at a time (before) and in the
 *   micro-batching worker (after), their steps taken in turn so both see the same machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { Server } from 'socket.io';
import { env } from '../env';
import { runCli, UserFacingError } from '../errors';
import { backendInfo, initBackend } from '../ml/backend';
import { mulberry32 } from '../ml/data/random';
import { loadLayersModel } from '../ml/models/storage';
import { sketchToImage28 } from '../../lib/sketch/preprocess';
import { benchDrawing } from '../recognition/bench/drawings';
import type { DrawersInput, DrawersResult } from '../recognition/bench/drawers';
import { IMAGE_PIXELS } from '../../lib/image';
import { compileClassifier, type Classifier } from '../recognition/inference';
import type { RecognizerOptions } from '../recognition/recognizer';
import { MAX_PAYLOAD_BYTES } from '../../lib/protocol';
import type { PlaygroundServer } from '../sockets';
import { Limits, RELAXED_LIMITS } from '../limits';
import { attachDraw } from '../realtime/draw/handlers';
import { spawnTsWorker } from '../threads/spawn';
import { quantile } from './bench';
import { numberOption } from './options';

const PER_SECOND = 10;
const P95_LIMIT_MS = 50;
/** Drawing before a mode's search, unmeasured (the model's first load and compile). */
const WARM_UP_SECONDS = 2;
const MODES: Record<string, { label: string; recognition: RecognizerOptions }> = {
  inline: {
    label: 'inline on the socket thread, batch 1, layers predict (before)',
    recognition: { thread: 'inline', compile: { layersOnly: true } },
  },
  worker: { label: 'recognition worker, micro-batched, compiled (after)', recognition: { thread: 'worker' } },
  'worker-one-view': {
    label: 'recognition worker, micro-batched, compiled, WITHOUT mirror averaging',
    recognition: { thread: 'worker', compile: { singleView: true } },
  },
};

const program = new Command('bench:sketch')
  .description('Measure drawing recognition latency and how many drawers the server sustains.')
  .option('--model <dir>', 'model folder', path.join(env.MODELS_DIR, 'cnn'))
  .option('--requests <n>', 'recognitions measured for the latency figures', numberOption, 2000)
  .option('--seconds <n>', 'duration of each concurrency step', numberOption, 4)
  .option('--max-drawers <n>', 'upper bound of the concurrency search', numberOption, 512)
  .option(
    '--modes <list>',
    'concurrency runs: inline (before), worker (after), worker-one-view (after, no mirror averaging)',
    'inline,worker',
  )
  .option('--json', 'print one JSON object on stdout');

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
  const o = program.opts();
  const modes = o.modes.split(',').map((m) => m.trim());
  for (const m of modes)
    if (!MODES[m])
      throw new UserFacingError(`Unknown mode ${m}: use inline, worker or worker-one-view, comma-separated.`);
  const log = (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n');
  await initBackend();
  const model = await loadLayersModel(o.model);
  const classifiers: Record<string, Classifier> = {
    layers: compileClassifier(model, { layersOnly: true }),
    compiled: compileClassifier(model),
    compiledOneView: compileClassifier(model, { singleView: true }),
  };
  log(
    `model ${o.model}, backend ${backendInfo()?.name}, served path: ${classifiers.compiled!.path}${classifiers.compiled!.mirror ? ' with mirror averaging' : ''}`,
  );

  // Batch-1 latency, the variants interleaved so that they share the machine's noise alike.
  const rand = mulberry32(1);
  const drawings = Array.from({ length: 64 }, () => benchDrawing(rand));
  const points = drawings.reduce((n, d) => n + d[0]!.points.length / 2, 0) / drawings.length;
  const times: Record<string, number[]> = {
    preprocess: [],
    layers: [],
    compiled: [],
    compiledOneView: [],
    compiledTwoPasses: [],
  };
  const mirrorImage = (image: Float32Array): Float32Array => image.map((_, p) => image[p - (p % 28) + 27 - (p % 28)]!);
  for (let i = 0; i < o.requests + 200; i++) {
    const strokes = drawings[i % drawings.length]!;
    let t = performance.now();
    const image = sketchToImage28(strokes)!;
    if (i >= 200) times.preprocess!.push(performance.now() - t);
    for (const [name, c] of Object.entries(classifiers)) {
      t = performance.now();
      c.classify(image, 1);
      if (i >= 200) times[name]!.push(performance.now() - t);
    }
    // Both views as two passes of batch 1 (the alternative to one pass over a batch of 2).
    const mirrored = mirrorImage(image);
    t = performance.now();
    classifiers.compiledOneView!.classify(image, 1);
    classifiers.compiledOneView!.classify(mirrored, 1);
    if (i >= 200) times.compiledTwoPasses!.push(performance.now() - t);
  }
  const stat = (name: string) => ({ p50: quantile(times[name]!, 0.5), p99: quantile(times[name]!, 0.99) });
  const latency = {
    requests: o.requests,
    meanPoints: Math.round(points),
    preprocess: stat('preprocess'),
    cnnLayers: stat('layers'),
    cnnCompiled: stat('compiled'),
    cnnCompiledOneView: stat('compiledOneView'),
    cnnCompiledTwoPasses: stat('compiledTwoPasses'),
  };
  log(`recognition at batch 1 (${o.requests} drawings of ~${latency.meanPoints} points):`);
  const row = (label: string, s: { p50: number; p99: number }) =>
    log(`  ${label.padEnd(44)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}`);
  row('preprocessing (strokes -> 28x28)', latency.preprocess);
  row('CNN alone, layers predict (before)', latency.cnnLayers);
  row('CNN alone, compiled, both views (after)', latency.cnnCompiled);
  row('CNN alone, compiled, original view only', latency.cnnCompiledOneView);
  row('CNN alone, compiled, both views as 2 passes', latency.cnnCompiledTwoPasses);
  log(
    `  after/before: p50 ${(latency.cnnCompiled.p50 / latency.cnnLayers.p50).toFixed(2)}x, p99 ${(latency.cnnCompiled.p99 / latency.cnnLayers.p99).toFixed(2)}x; the mirror view costs ${(latency.cnnCompiled.p50 / latency.cnnCompiledOneView.p50).toFixed(2)}x (p50); one batch of 2 / two passes ${(latency.cnnCompiled.p50 / latency.cnnCompiledTwoPasses.p50).toFixed(2)}x (p50)`,
  );

  // Throughput by batch size: what micro-batching can buy.
  const throughput: { batch: number; compiled: number; compiledOneView: number; layers: number }[] = [];
  const images = new Float32Array(32 * IMAGE_PIXELS);
  for (let i = 0; i < 32; i++) images.set(sketchToImage28(drawings[i]!)!, i * IMAGE_PIXELS);
  for (const batch of [1, 8, 32]) {
    const perSecond = (c: Classifier) => {
      const reps = Math.max(3, Math.round(256 / batch));
      c.classify(images, batch);
      const t = performance.now();
      for (let r = 0; r < reps; r++) c.classify(images, batch);
      return (reps * batch * 1000) / (performance.now() - t);
    };
    const entry = {
      batch,
      layers: perSecond(classifiers.layers!),
      compiled: perSecond(classifiers.compiled!),
      compiledOneView: perSecond(classifiers.compiledOneView!),
    };
    throughput.push(entry);
    log(
      `  batch ${String(batch).padStart(2)}: ${entry.layers.toFixed(0)} images/s layers predict, ${entry.compiled.toFixed(0)} compiled, ${entry.compiledOneView.toFixed(0)} compiled one view`,
    );
  }
  for (const c of Object.values(classifiers)) c.dispose();
  model.dispose();

  const runs = await searchAll(modes, o, log);
  if (runs.inline && runs['worker-one-view']) {
    log(
      `sustained drawers, worker without mirror averaging/inline: ${runs['worker-one-view'].sustainedDrawers}/${runs.inline.sustainedDrawers}`,
    );
  }
  if (runs.inline && runs.worker) {
    log(
      `sustained drawers, worker/inline: ${runs.worker.sustainedDrawers}/${runs.inline.sustainedDrawers} = ${(runs.worker.sustainedDrawers / runs.inline.sustainedDrawers).toFixed(2)}x`,
    );
  }
  const summary = {
    model: o.model,
    backend: backendInfo()?.name,
    latency,
    throughput,
    perSecond: PER_SECOND,
    p95LimitMs: P95_LIMIT_MS,
    runs,
  };
  if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
  process.exit(0);
});

interface Search {
  mode: string;
  steps: Step[];
  good: number;
  bad: number;
  /** The next drawer count to try, or 0 when the search is over. */
  next: number;
  run(drawers: number): Promise<Step>;
  close(): Promise<void>;
}

/** The real draw handlers on a Socket.IO server in one recognition mode, clients in a worker thread. */
async function startMode(
  mode: string,
  o: { model: string; seconds: number },
  log: (line: string) => void,
): Promise<Search> {
  const httpServer = http.createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const io: PlaygroundServer = new Server(httpServer, { maxHttpBufferSize: MAX_PAYLOAD_BYTES, serveClient: false });
  const draw = await attachDraw(io, {
    modelDir: o.model,
    // Capacity, not abuse limits: every simulated drawer connects from 127.0.0.1, and the per-address
    // recognition limit (40/s) would otherwise cap the bench at four drawers.
    limits: new Limits(RELAXED_LIMITS),
    recognition: MODES[mode]!.recognition,
  });
  const info = await draw.recognizer.model();
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  log(`  ${mode}: ${MODES[mode]!.label}, model ${info.version} (${info.inference})`);
  // Unmeasured: the first recognitions load and compile the model (in the worker: seconds), which
  // would fail the first step and end the search at 0 drawers.
  await runDrawers({ url, drawers: 1, perSecond: PER_SECOND, seconds: WARM_UP_SECONDS });
  const search: Search = {
    mode,
    steps: [],
    good: 0,
    bad: 0,
    next: 1,
    async run(drawers) {
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
      search.steps.push(step);
      const errors = result.errors.length ? `  errors: ${result.errors.join('; ')}` : '';
      log(
        `  ${mode.padEnd(16)} ${String(drawers).padStart(4)} drawers  p50 ${ms(step.p50)}  p95 ${ms(step.p95)}  p99 ${ms(step.p99)}  rate ${(100 * rateRatio).toFixed(0)} %  ${step.ok ? 'pass' : 'FAIL'}${errors}`,
      );
      return step;
    },
    async close() {
      draw.detach();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
  return search;
}

/**
 * Every mode's search (doubling the drawers, then bisecting between the last pass and the first
 * failure to within ~10 %), one step of each mode in turn, so that the modes share the machine's
 * conditions (other work on a shared machine) alike.
 */
async function searchAll(
  modes: string[],
  o: { model: string; seconds: number; maxDrawers: number },
  log: (line: string) => void,
) {
  log(
    `concurrent drawers at ${PER_SECOND} requests/s each (${o.seconds} s per step, the modes in turn; pass: p95 <= ${P95_LIMIT_MS} ms, >= 95 % of the rate, no errors):`,
  );
  const searches: Search[] = [];
  for (const mode of modes) searches.push(await startMode(mode, o, log));
  while (searches.some((s) => s.next > 0)) {
    for (const s of searches) {
      if (s.next === 0) continue;
      const n = s.next;
      const ok = (await s.run(n)).ok;
      if (ok) s.good = n;
      else s.bad = n;
      if (s.bad === 0) s.next = n * 2 <= o.maxDrawers ? n * 2 : 0;
      else if (s.bad - s.good > Math.max(1, s.good / 10)) s.next = Math.round((s.good + s.bad) / 2);
      else s.next = 0;
    }
  }
  const runs: Record<string, { sustainedDrawers: number; bounded: boolean; steps: Step[] }> = {};
  for (const s of searches) {
    await s.close();
    runs[s.mode] = { sustainedDrawers: s.good, bounded: s.bad === 0, steps: s.steps };
    log(
      `  sustained, ${s.mode}: ${s.good}${s.bad === 0 ? '+ (the search bound)' : ''} concurrent drawers at ${PER_SECOND} requests/s with p95 <= ${P95_LIMIT_MS} ms`,
    );
  }
  return runs;
}

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
