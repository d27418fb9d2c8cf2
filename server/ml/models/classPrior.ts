/**
 * Per-class latent densities fitted after training ("ex-post density estimation", Ghosh et al.
 * 2020): for each class, a mixture of full-covariance Gaussians (mixture.ts; one component by
 * default) over the encoder's posteriors of that class's training images, each component's
 * covariance being that of its posterior means plus their mean posterior variance, i.e. the
 * moments of the aggregate posterior. Sampling z from them instead of N(0, I) draws from where
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
import { NUM_CLASSES } from './cnn';
import { imagesToTensor } from './classifier';
import { cholesky } from '../linalg';
import { mulberry32, type Random } from '../data/random';
import { fitGaussianMixture } from './mixture';

export const PRIOR_FILE = 'latent-prior.json';

const ComponentSchema = z.object({
  weight: z.number().min(0),
  mean: z.array(z.number()),
  cholesky: z.array(z.number()),
});
const ClassSchema = z.union([
  z.object({ components: z.array(ComponentSchema).min(1) }),
  // the first format: one Gaussian per class
  z
    .object({ mean: z.array(z.number()), cholesky: z.array(z.number()) })
    .transform((c) => ({ components: [{ weight: 1, ...c }] })),
]);
const ClassPriorsSchema = z
  .object({
    latent: z.number().int().min(1),
    fittedOn: z.number().int().min(1),
    classes: z.array(ClassSchema).length(NUM_CLASSES),
  })
  .superRefine((p, ctx) => {
    // Every Gaussian is of the prior's size: a shorter one would make NaN latents, i.e. blank images.
    p.classes.forEach((c, k) =>
      c.components.forEach((g, j) => {
        if (g.mean.length !== p.latent || g.cholesky.length !== p.latent * p.latent)
          ctx.addIssue({
            code: 'custom',
            path: ['classes', k, 'components', j],
            message: `class ${k}'s Gaussian ${j} is not of ${p.latent} dimensions`,
          });
      }),
    );
  });
export type ClassPriors = z.output<typeof ClassPriorsSchema>;

export interface FitPriorOptions {
  /** Gaussians per class (1: a single full-covariance Gaussian) */
  components?: number;
  seed?: number;
  batchSize?: number;
}

/** Components for a class of `count` images: as asked, but at least 2(latent + 1) images each (a --train-limit run has few). */
export function componentsFor(count: number, latent: number, requested: number): number {
  return Math.max(1, Math.min(requested, Math.floor(count / (2 * (latent + 1)))));
}

/** The encoder's posterior means and variances (count x latent each) over a labelled set. */
export function encodePosteriors(
  encoder: tfTypes.LayersModel,
  data: DatasetSplit,
  batchSize = 500,
): { latent: number; means: Float32Array; variances: Float32Array } {
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
  return { latent, means, variances };
}

/** Fits the per-class aggregate-posterior Gaussian mixtures with the encoder over a labelled set. */
export function fitClassPriors(
  encoder: tfTypes.LayersModel,
  data: DatasetSplit,
  opts: FitPriorOptions = {},
): ClassPriors {
  const { components = 1, seed = 1, batchSize = 500 } = opts;
  const { latent, means, variances } = encodePosteriors(encoder, data, batchSize);
  const classes = Array.from({ length: NUM_CLASSES }, (_, c) => {
    const rows = Array.from({ length: data.count }, (_, i) => i).filter((i) => data.labels[i] === c);
    if (rows.length < 2)
      throw new RangeError(`class ${c} has ${rows.length} images; fitting its latent Gaussian needs at least 2`);
    const mu = new Float64Array(rows.length * latent);
    const vars = new Float32Array(rows.length * latent);
    rows.forEach((r, k) => {
      mu.set(means.subarray(r * latent, (r + 1) * latent), k * latent);
      vars.set(variances.subarray(r * latent, (r + 1) * latent), k * latent);
    });
    const k = componentsFor(rows.length, latent, components);
    const mixture = fitGaussianMixture(mu, latent, {
      components: k,
      seed: seed * 31 + c,
      pointVariances: vars,
      ridge: 1e-6,
    });
    return {
      components: mixture.components.map((g) => ({
        weight: g.weight,
        mean: Array.from(g.mean),
        cholesky: Array.from(cholesky(g.cov, latent)),
      })),
    };
  });
  return { latent, fittedOn: data.count, classes };
}

/**
 * z = mean + L eps for each row of standard-normal `eps` (count x latent), in place, with the
 * Gaussian of each row's class; when a class has several, `random` picks one by weight.
 */
export function applyClassPrior(
  prior: ClassPriors,
  eps: Float32Array,
  labels: Uint8Array,
  random: Random = mulberry32(1),
): Float32Array {
  const n = prior.latent;
  const e = new Float64Array(n);
  for (let i = 0; i < labels.length; i++) {
    const { components } = prior.classes[labels[i]!]!;
    let g = components[0]!;
    if (components.length > 1) {
      let u = random() * components.reduce((s, x) => s + x.weight, 0);
      for (const candidate of components) {
        g = candidate;
        u -= candidate.weight;
        if (u <= 0) break;
      }
    }
    const { mean, cholesky: l } = g;
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
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    json = undefined; // cut off mid-write, or not JSON: refused below with the same sentence
  }
  const parsed = ClassPriorsSchema.safeParse(json);
  if (!parsed.success)
    throw new UserFacingError(
      `${file} is not a valid latent prior file${json === undefined ? ' (not JSON: cut off?)' : ` (${parsed.error.issues[0]?.message ?? 'wrong shape'})`}: delete it or refit it with npm run train:vae -- --fit-prior.`,
    );
  return parsed.data;
}
