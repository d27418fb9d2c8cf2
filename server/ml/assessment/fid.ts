/**
 * The Fréchet distance between two sets of feature vectors (Heusel et al. 2017, "FID" when the
 * features come from Inception; here from the judge CNN's penultimate layer):
 *   |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)),
 * with Tr((S1 S2)^(1/2)) = Tr((S1^(1/2) S2 S1^(1/2))^(1/2)), a symmetric PSD matrix whose
 * square-root trace is the sum of the square roots of its eigenvalues.
 */
import { matMul, moments, sqrtSymmetric, symmetricEigen, type Moments } from '../linalg';

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
