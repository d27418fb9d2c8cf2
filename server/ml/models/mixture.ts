/**
 * Gaussian mixture fitted by expectation-maximization, full covariances, in float64. Used for the
 * per-class latent priors (classPrior.ts): a class's encoded training images are not one Gaussian
 * blob (sandals with and without straps, coats open and closed), and a single Gaussian puts many
 * samples in the empty space between the modes, where the decoder draws a blurry average of them.
 * Deterministic under its seed (k-means++ start on the project's PRNG).
 */
import { mulberry32, randomInt } from '../data/random';
import { cholesky } from '../linalg';

export interface MixtureComponent {
  weight: number;
  mean: Float64Array;
  /** covariance (dim x dim, row-major) */
  cov: Float64Array;
}

export interface MixtureOptions {
  components: number;
  seed: number;
  iterations?: number;
  /** added to every covariance diagonal, keeps components positive definite */
  ridge?: number;
  /** stop when the mean log-likelihood gains less than this per iteration */
  tolerance?: number;
  /**
   * Each point's own diagonal variance (count x dim), when the points are themselves Gaussians
   * (an encoder's posteriors): the final covariances add their responsibility-weighted mean, so
   * the mixture models the aggregate posterior, not only the spread of the posterior means.
   */
  pointVariances?: Float64Array | Float32Array;
}

export interface Mixture {
  components: MixtureComponent[];
  /** mean log-likelihood per point of the posterior means after the last EM iteration (-Infinity for 1 component) */
  logLikelihood: number;
  iterations: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(x | mean, L L^T) for each row of `points`, written into `out` (stride `stride`, offset `k`). */
function logDensities(
  points: Float64Array,
  dim: number,
  mean: Float64Array,
  l: Float64Array,
  out: Float64Array,
  stride: number,
  k: number,
): void {
  let logDet = 0;
  for (let d = 0; d < dim; d++) logDet += Math.log(l[d * dim + d]!);
  const y = new Float64Array(dim);
  const count = points.length / dim;
  for (let i = 0; i < count; i++) {
    let quad = 0;
    // forward substitution: L y = x - mean
    for (let r = 0; r < dim; r++) {
      let s = points[i * dim + r]! - mean[r]!;
      for (let c = 0; c < r; c++) s -= l[r * dim + c]! * y[c]!;
      const v = s / l[r * dim + r]!;
      y[r] = v;
      quad += v * v;
    }
    out[i * stride + k] = -0.5 * (dim * LOG_2PI + quad) - logDet;
  }
}

/** k-means++ seeding: the first centre at random, each next one drawn in proportion to squared distance. */
function seedCentres(points: Float64Array, dim: number, k: number, seed: number): Float64Array[] {
  const random = mulberry32(seed);
  const count = points.length / dim;
  const centres: Float64Array[] = [];
  const first = randomInt(random, count);
  centres.push(points.slice(first * dim, (first + 1) * dim));
  const nearest = new Float64Array(count).fill(Infinity);
  while (centres.length < k) {
    const c = centres.at(-1)!;
    let total = 0;
    for (let i = 0; i < count; i++) {
      let d2 = 0;
      for (let d = 0; d < dim; d++) d2 += (points[i * dim + d]! - c[d]!) ** 2;
      if (d2 < nearest[i]!) nearest[i] = d2;
      total += nearest[i]!;
    }
    let target = random() * total;
    let pick = count - 1;
    for (let i = 0; i < count; i++) {
      target -= nearest[i]!;
      if (target <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(points.slice(pick * dim, (pick + 1) * dim));
  }
  return centres;
}

/** Weighted mean and covariance of the points under responsibilities column `k`. */
function weightedMoments(
  points: Float64Array,
  dim: number,
  resp: Float64Array,
  stride: number,
  k: number,
  ridge: number,
  pointVariances?: Float64Array | Float32Array,
): MixtureComponent {
  const count = points.length / dim;
  let nk = 0;
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const r = resp[i * stride + k]!;
    nk += r;
    for (let d = 0; d < dim; d++) mean[d]! += r * points[i * dim + d]!;
  }
  const safe = Math.max(nk, 1e-12);
  for (let d = 0; d < dim; d++) mean[d]! /= safe;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const r = resp[i * stride + k]!;
    if (r < 1e-10) continue;
    for (let d = 0; d < dim; d++) c[d] = points[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) {
      const ra = r * c[a]!;
      for (let b = 0; b <= a; b++) cov[a * dim + b]! += ra * c[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) {
      const v = cov[a * dim + b]! / safe;
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
    cov[a * dim + a]! += ridge;
  }
  if (pointVariances) {
    for (let i = 0; i < count; i++) {
      const r = resp[i * stride + k]! / safe;
      for (let d = 0; d < dim; d++) cov[d * dim + d]! += r * pointVariances[i * dim + d]!;
    }
  }
  return { weight: nk / count, mean, cov };
}

/**
 * Fits `components` Gaussians to `points` (count x dim). With one component this is the sample
 * mean and the (biased) covariance, exactly.
 */
export function fitGaussianMixture(points: Float64Array, dim: number, opts: MixtureOptions): Mixture {
  const count = points.length / dim;
  const k = opts.components;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`a mixture needs at least 1 component (got ${k})`);
  // One component is a plain mean and covariance (the ridge and point variances keep it positive
  // definite); a mixture needs enough points for every component's covariance.
  if (count < 2 || (k > 1 && count < k * (dim + 1))) {
    const need = k === 1 ? 2 : k * (dim + 1);
    throw new RangeError(
      `${count} points are too few for ${k} full-covariance component(s) in ${dim} dimensions (need ${need})`,
    );
  }
  const ridge = opts.ridge ?? 1e-4;
  const maxIterations = opts.iterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-4;
  const resp = new Float64Array(count * k);

  let logLikelihood = -Infinity;
  let iterations = 0;
  if (k === 1) {
    resp.fill(1); // one component: the plain mean and covariance, no EM
  } else {
    // Start: hard assignment to the nearest k-means++ centre.
    const centres = seedCentres(points, dim, k, opts.seed);
    for (let i = 0; i < count; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        let d2 = 0;
        for (let d = 0; d < dim; d++) d2 += (points[i * dim + d]! - centres[j]![d]!) ** 2;
        if (d2 < bestD) [best, bestD] = [j, d2];
      }
      resp[i * k + best] = 1;
    }

    const logP = new Float64Array(count * k);
    while (iterations < maxIterations) {
      iterations++;
      // M step
      const components = Array.from({ length: k }, (_, j) => weightedMoments(points, dim, resp, k, j, ridge));
      // E step
      components.forEach((c, j) => logDensities(points, dim, c.mean, cholesky(c.cov, dim), logP, k, j));
      let total = 0;
      for (let i = 0; i < count; i++) {
        let max = -Infinity;
        for (let j = 0; j < k; j++) {
          const v = logP[i * k + j]! + Math.log(Math.max(components[j]!.weight, 1e-300));
          logP[i * k + j] = v;
          if (v > max) max = v;
        }
        let sum = 0;
        for (let j = 0; j < k; j++) sum += Math.exp(logP[i * k + j]! - max);
        const logSum = max + Math.log(sum);
        total += logSum;
        for (let j = 0; j < k; j++) resp[i * k + j] = Math.exp(logP[i * k + j]! - logSum);
      }
      const mean = total / count;
      const gained = mean - logLikelihood;
      logLikelihood = mean;
      if (gained < tolerance) break;
    }
  }
  const components = Array.from({ length: k }, (_, j) =>
    weightedMoments(points, dim, resp, k, j, ridge, opts.pointVariances),
  );
  return { components, logLikelihood, iterations };
}
