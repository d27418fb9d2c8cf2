/**
 * Per-class latent Gaussians fitted after training ("ex-post density estimation", Ghosh et al.
 * 2020): for each class, the mean and covariance of the encoder's posteriors over that class's
 * training images (covariance of the posterior means plus the mean posterior variance, i.e. the
 * moments of the aggregate posterior). Sampling z from them instead of N(0, I) draws from where
 * the decoder was actually trained, and keeps the class even when the latent carries it. Stored
 * as latent-prior.json beside encoder/ and decoder/.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserFacingError } from '../../errors';
import { tf } from '../backend';
import type { DatasetSplit } from '../data/fashionMnist';
import { NUM_CLASSES } from '../models/cnn';
import { imagesToTensor } from '../assessment/classifier';
import { cholesky, moments } from '../assessment/linalg';

export const PRIOR_FILE = 'latent-prior.json';

const ClassPriorsSchema = z.object({
  latent: z.number().int().min(1),
  fittedOn: z.number().int().min(1),
  classes: z.array(z.object({ mean: z.array(z.number()), cholesky: z.array(z.number()) })).length(NUM_CLASSES),
});
export type ClassPriors = z.infer<typeof ClassPriorsSchema>;

/** Fits the per-class aggregate-posterior Gaussians with the encoder over a labelled set. */
export function fitClassPriors(encoder: tfTypes.LayersModel, data: DatasetSplit, batchSize = 500): ClassPriors {
  const latent = (encoder.outputs[0]!.shape[1] as number) ?? 0;
  const means = new Float32Array(data.count * latent);
  const variances = new Float32Array(data.count * latent);
  for (let start = 0; start < data.count; start += batchSize) {
    const size = Math.min(batchSize, data.count - start);
    const [m, v] = tf.tidy(() => {
      const y = tf.oneHot(tf.tensor1d(data.labels.subarray(start, start + size), 'int32'), NUM_CLASSES).toFloat();
      const [mean, logVar] = encoder.predict([imagesToTensor(data.images, start, size), y]) as tfTypes.Tensor[];
      return [mean!, tf.exp(logVar!)];
    });
    means.set(m!.dataSync() as Float32Array, start * latent);
    variances.set(v!.dataSync() as Float32Array, start * latent);
    tf.dispose([m!, v!]);
  }
  const classes = Array.from({ length: NUM_CLASSES }, (_, c) => {
    const rows = Array.from({ length: data.count }, (_, i) => i).filter((i) => data.labels[i] === c);
    if (rows.length < 2) throw new RangeError(`class ${c} has ${rows.length} images; fitting its latent Gaussian needs at least 2`);
    const mu = new Float32Array(rows.length * latent);
    rows.forEach((r, k) => mu.set(means.subarray(r * latent, (r + 1) * latent), k * latent));
    const mom = moments(mu, latent);
    for (let d = 0; d < latent; d++) {
      let v = 0;
      for (const r of rows) v += variances[r * latent + d]!;
      mom.cov[d * latent + d]! += v / rows.length;
    }
    return { mean: Array.from(mom.mean), cholesky: Array.from(cholesky(mom.cov, latent, 1e-6)) };
  });
  return { latent, fittedOn: data.count, classes };
}

/** z = mean_c + L_c eps for each row of standard-normal `eps` (count x latent), in place. */
export function applyClassPrior(prior: ClassPriors, eps: Float32Array, labels: Uint8Array): Float32Array {
  const n = prior.latent;
  const e = new Float64Array(n);
  for (let i = 0; i < labels.length; i++) {
    const { mean, cholesky: l } = prior.classes[labels[i]!]!;
    for (let d = 0; d < n; d++) e[d] = eps[i * n + d]!;
    for (let r = 0; r < n; r++) {
      let s = mean[r]!;
      for (let k = 0; k <= r; k++) s += l[r * n + k]! * e[k]!;
      eps[i * n + r] = s;
    }
  }
  return eps;
}

export async function saveClassPriors(prior: ClassPriors, dir: string): Promise<void> {
  await writeFile(path.join(dir, PRIOR_FILE), JSON.stringify(prior) + '\n');
}

/** The model folder's per-class priors, or undefined when it has none (sampling then uses N(0, I)). */
export async function loadClassPriors(dir: string): Promise<ClassPriors | undefined> {
  const file = path.join(dir, PRIOR_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = ClassPriorsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new UserFacingError(`${file} is not a valid latent prior file: delete it or refit it with npm run train:vae -- --fit-prior.`);
  return parsed.data;
}
