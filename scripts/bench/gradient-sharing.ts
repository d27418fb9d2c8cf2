/**
 * The per-step cost, for one of two replicas, of sharing a gradient through shared memory:
 * now (copyInto from the wasm heap, then averageShare: this replica's half of the parameters) and
 * as it was before (dataSync copies, then average over every parameter, which each replica did).
 * CPU milliseconds, medians, the two ways interleaved. Usage: npx tsx scripts/bench/gradient-sharing.ts
 */
import { readFileSync } from 'node:fs';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, tf } from '../../server/ml/backend';
import { copyInto } from '../../server/ml/backend/copy';
import { buildCnn } from '../../server/ml/models/cnn';
import { buildVae } from '../../server/ml/models/vae';
import { createSharedMemory, ReplicaSync } from '../../server/ml/training/sync';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;

await initBackend();
const vaeArch = (JSON.parse(readFileSync('models/vae/training-log.json', 'utf8')) as { config: { arch: object } })
  .config.arch;
for (const [name, model] of [
  ['reference-small CNN', buildCnn({ variant: 'reference-small' })],
  ['committed VAE with its critic', buildVae(vaeArch, 1).combined],
] as const) {
  const grads = model.trainableWeights.map((w, i) => tf.randomNormal(w.shape as number[], 0, 1, 'float32', i));
  const params = grads.reduce((n, g) => n + g.size, 0);
  const sync = new ReplicaSync(createSharedMemory(2, params), 0);
  const weights = [0.5, 0.5];
  const before = (): void => {
    let offset = 0;
    for (const g of grads as tfTypes.Tensor[]) {
      const data = g.dataSync() as Float32Array;
      sync.mySlot.set(data, offset);
      offset += data.length;
    }
    sync.average(weights);
  };
  const now = (): void => {
    copyInto(grads, sync.mySlot);
    sync.averageShare(weights);
  };
  const times = { before: [] as number[], now: [] as number[] };
  for (let i = 0; i < 34; i++) {
    for (const k of i % 2 ? (['before', 'now'] as const) : (['now', 'before'] as const)) {
      const c0 = cpuMs();
      (k === 'now' ? now : before)();
      if (i >= 4) times[k].push(cpuMs() - c0);
    }
  }
  const [b, n] = [median(times.before), median(times.now)];
  console.log(
    `${name}, ${params.toLocaleString('en')} parameters: sharing a gradient costs each of 2 replicas ${n.toFixed(2)} ms CPU per step, before ${b.toFixed(2)} ms (now/before ${(n / b).toFixed(2)}; medians of ${times.now.length})`,
  );
}
process.exit(0);
