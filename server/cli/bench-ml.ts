/**
 * npm run bench:ml -- [--steps 30] [--json]
 * Training images/s of the CNN (batch 128, steady state) with one worker and with every core,
 * inference latency at batch 1 (p50, p99) and images/s at batch 256, the conditional VAE's training
 * speed and the time to generate and judge 100 candidates, for the backend in use.
 * Where Debian's PyTorch is installed it is run in the same invocation on the same work (the small
 * CNN, and the committed VAE's architecture and losses: scripts/bench/pytorch_reference.py) and the
 * figures are printed as ratios; elsewhere the CNN figures recorded on this machine kind are shown,
 * marked so, and no VAE ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from '@commander-js/extra-typings';
import { IMAGE_SIZE } from '../../lib/image';
import { runCli } from '../errors';
import { initBackend, tf } from '../ml/backend';
import { buildCnn } from '../ml/models/cnn';
import { loadLayersModel } from '../ml/models/storage';
import { measureTrainingSpeed, quantile } from '../ml/training/speed';
import { type VaeBenchmarks, vaeBenchmarks } from '../ml/generation/bench';
import { type VaeArch, VaeArchSchema } from '../ml/models/vae';
import { numberOption } from './options';

const program = new Command('bench:ml')
  .option('--steps <n>', 'measured training steps per configuration', numberOption, 30)
  .option('--batch-size <n>', 'training batch size', numberOption, 128)
  .option('--model <dir>', 'model folder for the inference figures', 'models/cnn')
  .option('--vae-model <dir>', 'VAE folder whose training log gives the architecture and loss measured', 'models/vae')
  .option('--no-vae', 'skip the conditional VAE figures')
  .option('--json', 'print one JSON object on stdout');

/** PyTorch's training of the same VAE: its parameter counts (to check the work is the same) and img/s by thread count. */
interface PytorchVae {
  params: number;
  criticParams: number;
  featureParams: number;
  threads: Record<string, number>;
}

function pytorchReference(
  steps: number,
  batchSize: number,
  vaeArch?: VaeArch,
): { source: string; threads: Record<string, number>; vae?: PytorchVae } {
  const recorded = {
    source: 'recorded on this machine kind (ENVIRONMENT.md), not measured now',
    threads: { '1': 590, '2': 871 },
  };
  if (!existsSync('/usr/bin/python3')) return recorded;
  const args = ['scripts/bench/pytorch_reference.py', String(steps), '--batch', String(batchSize)];
  if (vaeArch) args.push('--vae', JSON.stringify(vaeArch));
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(
      `PyTorch reference failed (${r.stderr.trim().split('\n').at(-1) ?? r.status}): recorded figures shown\n`,
    );
    return recorded;
  }
  const parsed = JSON.parse(r.stdout.trim()) as {
    torch: string;
    blas: string;
    threads: Record<string, number>;
    vae?: PytorchVae;
  };
  // Debian links PyTorch to whichever libblas.so.3 is chosen: the reference BLAS makes its dense layers ~30x slower.
  const blas = parsed.blas.includes('openblas') ? 'OpenBLAS' : `BLAS ${parsed.blas}`;
  return {
    source: `measured now: PyTorch ${parsed.torch} (Debian python3-torch, ${blas})`,
    threads: parsed.threads,
    ...(parsed.vae ? { vae: parsed.vae } : {}),
  };
}

/** The architecture of the committed model, from its training log (the default one without). */
function committedArch(dir: string): Record<string, unknown> {
  try {
    return (
      (JSON.parse(readFileSync(`${dir}/training-log.json`, 'utf8')) as { config: { arch?: Record<string, unknown> } })
        .config.arch ?? {}
    );
  } catch {
    return {};
  }
}

await runCli(async () => {
  program.parse();
  const o = program.opts();
  const backend = await initBackend();
  const cores = os.availableParallelism();
  const say = (s: string): void => void (o.json ? process.stderr : process.stdout).write(s + '\n');
  say(`backend ${backend.name}, ${cores} cores, batch ${o.batchSize}, ${o.steps} measured steps each`);

  const training: Record<string, Record<string, number>> = {};
  for (const [name, arch] of [
    ['reference-small', { variant: 'reference-small' }],
    ['garment (committed architecture)', committedArch(o.model)],
  ] as const) {
    training[name] = {};
    for (const replicas of [1, cores]) {
      const ips = await measureTrainingSpeed({ task: 'cnn', arch, replicas, batchSize: o.batchSize }, o.steps);
      training[name]![String(replicas)] = Math.round(ips);
      say(`train ${name}, ${replicas} worker(s): ${Math.round(ips)} img/s`);
    }
  }

  const model = existsSync(`${o.model}/model.json`) ? await loadLayersModel(o.model) : buildCnn();
  const lat = timePredictions(model, tf.zeros([1, IMAGE_SIZE, IMAGE_SIZE, 1]), 500, 20);
  const bigTimes = timePredictions(model, tf.randomUniform([256, IMAGE_SIZE, IMAGE_SIZE, 1]), 10, 2);
  const inference = {
    batch1P50Ms: +quantile(lat, 0.5).toFixed(3),
    batch1P99Ms: +quantile(lat, 0.99).toFixed(3),
    batch256ImgPerSec: Math.round(256 / (quantile(bigTimes, 0.5) / 1000)),
  };
  say(
    `inference (${existsSync(`${o.model}/model.json`) ? o.model : 'untrained garment CNN'}): batch 1 p50 ${inference.batch1P50Ms} ms, p99 ${inference.batch1P99Ms} ms; batch 256 ${inference.batch256ImgPerSec} img/s`,
  );

  const vaeArch = o.vae ? VaeArchSchema.parse(committedArch(o.vaeModel)) : undefined;
  const ref = pytorchReference(o.steps, o.batchSize, vaeArch);
  const small = training['reference-small']!;
  const ratios = {
    oneWorkerVsPytorch1Thread: +(small['1']! / ref.threads['1']!).toFixed(2),
    machineVsPytorch2Threads: +(small[String(cores)]! / ref.threads['2']!).toFixed(2),
  };
  say(`PyTorch reference (${ref.source}): ${ref.threads['1']} img/s on 1 thread, ${ref.threads['2']} on 2`);
  say(
    `ratio, reference-small CNN: 1 worker / PyTorch 1 thread = ${ratios.oneWorkerVsPytorch1Thread}x; ${cores} workers / PyTorch 2 threads = ${ratios.machineVsPytorch2Threads}x`,
  );
  const vae = o.vae
    ? await vaeBenchmarks({ steps: o.steps, batchSize: o.batchSize, arch: committedArch(o.vaeModel), say })
    : undefined;
  const vaeRatios = vae ? compareVae(vae, ref.vae, cores, say) : undefined;
  if (o.json)
    process.stdout.write(
      JSON.stringify({ backend: backend.name, cores, training, inference, pytorch: ref, ratios, vae, vaeRatios }) +
        '\n',
    );
  process.exit(0);
});

/**
 * Prints both frameworks' parameter counts of the VAE (they must be equal for the ratio to be on the
 * same work) and the ratios TF.js / PyTorch, 1 worker vs 1 thread and every core vs 2 threads.
 */
function compareVae(
  vae: VaeBenchmarks,
  torch: PytorchVae | undefined,
  cores: number,
  say: (s: string) => void,
): { oneWorkerVsPytorch1Thread: number; machineVsPytorch2Threads: number; sameParams: boolean } | undefined {
  const n = (v: number): string => v.toLocaleString('en');
  const critic = vae.criticParams ? `, critic ${n(vae.criticParams)}` : '';
  const features = vae.featureParams ? `, frozen perceptual features ${n(vae.featureParams)}` : '';
  say(`conditional VAE parameters, TF.js: encoder + decoder ${n(vae.params)}${critic}${features}`);
  if (!torch) {
    say('conditional VAE vs PyTorch: no PyTorch here, no ratio');
    return undefined;
  }
  say(
    `conditional VAE parameters, PyTorch: encoder + decoder ${n(torch.params)}, critic ${n(torch.criticParams)}, frozen perceptual features ${n(torch.featureParams)}`,
  );
  const sameParams =
    torch.params === vae.params &&
    torch.criticParams === (vae.criticParams ?? 0) &&
    torch.featureParams === (vae.featureParams ?? 0);
  const ratios = {
    oneWorkerVsPytorch1Thread: +(vae.trainImagesPerSec['1']! / torch.threads['1']!).toFixed(2),
    machineVsPytorch2Threads: +(vae.trainImagesPerSec[String(cores)]! / torch.threads['2']!).toFixed(2),
    sameParams,
  };
  say(
    `PyTorch, the same VAE and losses: ${torch.threads['1']} img/s on 1 thread, ${torch.threads['2']} on 2 (parameter counts ${sameParams ? 'equal' : 'DIFFER: not the same work'})`,
  );
  say(
    `ratio, conditional VAE: 1 worker / PyTorch 1 thread = ${ratios.oneWorkerVsPytorch1Thread}x; ${cores} workers / PyTorch 2 threads = ${ratios.machineVsPytorch2Threads}x`,
  );
  return ratios;
}

/** Milliseconds of `runs` predictions of `x` (read back to the CPU), after `warmup` uncounted ones. */
function timePredictions(model: tf.LayersModel, x: tf.Tensor, runs: number, warmup: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    y.dispose();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return times;
}
