/**
 * Micro-benchmark of the training backends: trains the reference small CNN on random data and
 * prints steady-state images/s, times one step of a medium CNN (BatchNorm, dropout) or of the
 * committed conditional VAE (models/vae's architecture and losses, through its training task) and,
 * with --profile, prints its per-kernel time breakdown. Usage:
 *   tsx server/cli/bench-kernels.ts [--batches 20] [--warmup 2] [--batch-size 128] [--profile]
 *     [--model small|medium|vae|both]
 * The backend comes from TFJS_BACKEND like everywhere else (e.g. TFJS_BACKEND=cpu for contrast).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { z } from 'zod';
import { runCli } from '../errors';
import { initBackend, tf } from '../ml/backend';
import { loadFeatureExtractor } from '../ml/models/perceptual';
import { VaeArchSchema } from '../ml/models/vae';
import { VaeTask } from '../ml/training/vaeTask';
import { configFromOptions } from './options';

const Options = z.object({
  batches: z.coerce.number().int().min(1),
  warmup: z.coerce.number().int().min(0),
  batchSize: z.coerce.number().int().min(1),
  profile: z.boolean(),
  model: z.enum(['small', 'medium', 'vae', 'both']),
});

function smallCnn(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

function mediumCnn(): tf.LayersModel {
  const m = tf.sequential();
  for (const [i, filters] of [32, 64, 128].entries()) {
    m.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
    );
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.activation({ activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: 256, activation: 'relu' }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

function randomBatch(n: number): { xs: tf.Tensor; ys: tf.Tensor } {
  return tf.tidy(() => ({
    xs: tf.randomUniform([n, 28, 28, 1]),
    ys: tf.oneHot(tf.randomUniform([n], 0, 10, 'int32'), 10).toFloat(),
  }));
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One training step of a benchmarked model, and what to free afterwards. */
interface Trainer {
  step(): Promise<unknown>;
  dispose(): void;
}

function cnnTrainer(model: tf.LayersModel, batchSize: number): Trainer {
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const { xs, ys } = randomBatch(batchSize);
  return {
    step: () => model.trainOnBatch(xs, ys),
    dispose: () => {
      tf.dispose([xs, ys]);
      model.dispose();
    },
  };
}

/** The committed VAE's step as the training loop takes it: the task's loss, its gradients, one Adam update. */
async function vaeTrainer(batchSize: number): Promise<Trainer> {
  const arch = VaeArchSchema.parse(
    (JSON.parse(readFileSync('models/vae/training-log.json', 'utf8')) as { config: { arch: object } }).config.arch,
  );
  const features =
    arch.perceptualWeight > 0 ? await loadFeatureExtractor(arch.perceptualModel!, arch.perceptualLayers) : undefined;
  const task = new VaeTask(arch, 1, undefined, features);
  const variables = task.variables();
  const optimizer = tf.train.adam(1e-3);
  const images = Float32Array.from({ length: batchSize * 784 }, () => Math.random());
  const labels = Uint8Array.from({ length: batchSize }, (_, i) => i % 10);
  let step = 0;
  return {
    step: async () => {
      const { value, grads } = tf.variableGrads(
        () => task.step({ images, labels, size: batchSize }, { epoch: 0, step: step++, stepsPerEpoch: 100 }).loss,
        variables,
      );
      value.dataSync();
      optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => {
      optimizer.dispose();
      task.model.dispose();
    },
  };
}

/**
 * Wall and CPU milliseconds of each of `batches` training steps after `warmup` untimed ones. On a
 * shared machine the CPU time is the steadier figure: the step's cost on an otherwise idle core.
 */
async function timeSteps(
  trainer: Trainer,
  batches: number,
  warmup: number,
): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < batches + warmup; i++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    await trainer.step();
    if (i >= warmup) {
      wall.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
  }
  return { wall, cpu };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/**
 * Runs `f` with every kernel of the active backend wrapped in a CPU-time meter. Only outermost
 * kernel calls are counted: our wasm kernels call other kernels, whose time belongs to the caller.
 * CPU time rather than tf.profile's wall time, so that other processes on the machine do not skew it.
 */
async function cpuTimePerKernel(f: () => Promise<unknown>): Promise<Map<string, { ms: number; calls: number }>> {
  const backendName = tf.getBackend();
  const originals = tf.getKernelsForBackend(backendName);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let depth = 0;
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return config.kernelFunc(args);
        depth++;
        const c0 = cpuMs();
        try {
          return config.kernelFunc(args);
        } finally {
          const entry = byKernel.get(config.kernelName) ?? { ms: 0, calls: 0 };
          entry.ms += cpuMs() - c0;
          entry.calls += 1;
          byKernel.set(config.kernelName, entry);
          depth--;
        }
      },
    });
  }
  try {
    await f();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  return byKernel;
}

async function profileStep(trainer: Trainer): Promise<void> {
  const steps = 3;
  const c0 = cpuMs();
  const byKernel = await cpuTimePerKernel(async () => {
    for (let i = 0; i < steps; i++) await trainer.step();
  });
  const stepMs = (cpuMs() - c0) / steps;
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((acc, [, v]) => acc + v.ms, 0) / steps;
  console.log(
    `CPU time per kernel, mean of ${steps} steps: kernels ${total.toFixed(1)} ms of ${stepMs.toFixed(1)} ms per step ` +
      `(the rest is JS outside kernels: tape, optimizer, layers):`,
  );
  for (const [name, v] of rows.slice(0, 25)) {
    const ms = v.ms / steps;
    console.log(
      `  ${name.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / stepMs).toFixed(1).padStart(5)}%  ${String(v.calls / steps).padStart(4)} calls`,
    );
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .option('--batches <n>', 'timed training steps per model', '20')
    .option('--warmup <n>', 'untimed steps first (JIT, XNNPACK caches)', '2')
    .option('--batch-size <n>', 'images per step', '128')
    .option('--profile', 'per-kernel time breakdown of each model', false)
    .option('--model <which>', 'small | medium | vae | both (small and medium)', 'both')
    .parse();
  const opts = configFromOptions(Options, program.opts());
  const info = await initBackend();
  const models = opts.model === 'both' ? (['small', 'medium'] as const) : [opts.model];
  for (const which of models) {
    const trainer =
      which === 'vae'
        ? await vaeTrainer(opts.batchSize)
        : cnnTrainer(which === 'small' ? smallCnn() : mediumCnn(), opts.batchSize);
    const { wall, cpu } = await timeSteps(trainer, opts.batches, opts.warmup);
    const rate = (ms: number): string => {
      const r = (1000 * opts.batchSize) / ms;
      return r < 10 ? r.toFixed(2) : r.toFixed(0);
    };
    console.log(
      `${info.name} ${which === 'vae' ? 'committed VAE' : `${which} CNN`}, batch ${opts.batchSize}, median of ${wall.length} steps: ` +
        `${median(wall).toFixed(1)} ms/step wall = ${rate(median(wall))} img/s; ` +
        `${median(cpu).toFixed(1)} ms/step CPU = ${rate(median(cpu))} img/s (load average ${os.loadavg()[0]!.toFixed(1)})`,
    );
    if (opts.profile) await profileStep(trainer);
    trainer.dispose();
  }
}

void runCli(main);
