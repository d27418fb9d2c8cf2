/**
 * The Fréchet distance between two sets of feature vectors (Heusel et al. 2017, "FID" when the
 * features come from Inception; here from the judge CNN's penultimate layer):
 *   |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)),
 * with Tr((S1 S2)^(1/2)) = Tr((S1^(1/2) S2 S1^(1/2))^(1/2)), a symmetric PSD matrix whose
 * square-root trace is the sum of the square roots of its eigenvalues.
 */
import { shuffledIndices } from './data/random';
import { matMul, moments, sqrtSymmetric, symmetricEigen, type Moments } from './linalg';

export const DEFAULT_FRECHET_SPLITS = 5;
/** Seed of the first real-data halving; independent of any sampling seed on purpose. */
const REAL_SPLIT_SEED = 1_000_001;

export function frechetFromMoments(a: Moments, b: Moments): number {
  const n = a.dim;
  if (b.dim !== n) throw new RangeError(`feature sizes differ: ${a.dim} and ${b.dim}`);
  let meanTerm = 0;
  for (let d = 0; d < n; d++) meanTerm += (a.mean[d]! - b.mean[d]!) ** 2;
  let trace = 0;
  for (let d = 0; d < n; d++) trace += a.cov[d * n + d]! + b.cov[d * n + d]!;
  const rootA = sqrtSymmetric(a.cov, n);
  const inner = matMul(matMul(rootA, b.cov, n), rootA, n);
  const { values } = symmetricEigen(inner, n);
  let rootTrace = 0;
  for (const v of values) rootTrace += Math.sqrt(Math.max(0, v));
  // Rounding can make identical sets come out at -1e-12; a distance is never negative.
  return Math.max(0, meanTerm + trace - 2 * rootTrace);
}

/** Fréchet distance between two sets of rows of `dim` features. */
export function frechetDistance(a: Float32Array | Float64Array, b: Float32Array | Float64Array, dim: number): number {
  return frechetFromMoments(moments(a, dim), moments(b, dim));
}

/** The rows `indices` of a row-major matrix of `dim` columns. */
export function rowsOf(features: Float32Array, dim: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++)
    out.set(features.subarray(indices[i]! * dim, (indices[i]! + 1) * dim), i * dim);
  return out;
}

/**
 * Random halvings of a real image set, in the judge's features: each halving's reference half (its
 * moments) and the rows of the other half a same-sized set is paired with. A single halving's
 * real-vs-real distance varies by a third (0.71-1.04 at 5,000 test images), so every Fréchet figure
 * is the mean over several; the halvings come from fixed seeds, so every model and every sampling
 * seed is measured against the same real scale.
 */
export interface RealHalvings {
  dim: number;
  /** the size of every compared set: at most half the real images */
  sampleSize: number;
  splits: { reference: Moments; other: Uint32Array }[];
  /** the first halving's order (precision/recall's real side) */
  firstOrder: Uint32Array;
}

export function realHalvings(
  realFeatures: Float32Array,
  dim: number,
  count: number,
  sampleSize: number,
  splitCount: number = DEFAULT_FRECHET_SPLITS,
): RealHalvings {
  if (!Number.isInteger(splitCount) || splitCount < 1)
    throw new RangeError(`frechetSplits must be a whole number from 1 (got ${splitCount})`);
  const half = Math.floor(count / 2);
  const m = Math.min(sampleSize, half);
  const orders = Array.from({ length: splitCount }, (_, s) => shuffledIndices(count, REAL_SPLIT_SEED + s));
  return {
    dim,
    sampleSize: m,
    splits: orders.map((order) => ({
      reference: moments(rowsOf(realFeatures, dim, order.subarray(0, half)), dim),
      other: order.subarray(half, half + m),
    })),
    firstOrder: orders[0]!,
  };
}

/**
 * The Fréchet distance to each halving's reference half, and their mean: of the first sampleSize
 * rows of `features` (generated images), or with `paired`, of the rows of the other half's images
 * (`features` then has one row per real image: their reconstructions, or the real features
 * themselves, which gives the sampling floor, real vs real).
 */
export function frechetToHalvings(
  h: RealHalvings,
  features: Float32Array,
  paired = false,
): { mean: number; perSplit: number[] } {
  const generated = paired ? undefined : moments(features.subarray(0, h.sampleSize * h.dim), h.dim);
  const perSplit = h.splits.map((s) =>
    frechetFromMoments(generated ?? moments(rowsOf(features, h.dim, s.other), h.dim), s.reference),
  );
  return { mean: perSplit.reduce((a, b) => a + b, 0) / perSplit.length, perSplit };
}
