/**
 * Precision and recall of generated vs real feature sets with k-nearest-neighbour manifolds
 * (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for Assessing Generative
 * Models"): a point lies on a set's manifold when it falls inside the ball around some member
 * whose radius is that member's distance to its k-th nearest neighbour in the set. Precision is
 * the share of generated points on the real manifold (fidelity), recall the share of real points
 * on the generated manifold (coverage). Also the mean pairwise distance (diversity).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';

const BLOCK = 512;

/** Squared distances from rows [start, start+size) of `a` to every row of `b`: [size, nb]. */
function squaredDistanceBlock(
  a: tfTypes.Tensor2D,
  start: number,
  size: number,
  b: tfTypes.Tensor2D,
  bNorms: tfTypes.Tensor,
): tfTypes.Tensor2D {
  return tf.tidy(() => {
    const block = a.slice([start, 0], [size, -1]);
    const aNorms = tf.sum(tf.square(block), 1, true);
    const cross = tf.matMul(block, b, false, true);
    return tf.relu(tf.add(tf.sub(aNorms, tf.mul(2, cross)), bNorms)) as tfTypes.Tensor2D;
  });
}

/** Each row's distance to its k-th nearest other row of the same set. */
export function knnRadii(features: Float32Array, dim: number, k: number): Float32Array {
  const n = features.length / dim;
  if (k < 1 || k >= n) throw new RangeError(`k = ${k} needs more than ${k} points (have ${n})`);
  const x = tf.tensor2d(features, [n, dim]);
  const norms = tf.sum(tf.square(x), 1).reshape([1, n]);
  const radii = new Float32Array(n);
  for (let start = 0; start < n; start += BLOCK) {
    const size = Math.min(BLOCK, n - start);
    const kth = tf.tidy(() => {
      const d2 = squaredDistanceBlock(x, start, size, x, norms);
      // The k+1 smallest include the point itself (distance 0).
      const { values } = tf.topk(tf.neg(d2), k + 1);
      return tf.sqrt(tf.neg(values.slice([0, k], [size, 1])));
    });
    radii.set(kth.dataSync() as Float32Array, start);
    kth.dispose();
  }
  tf.dispose([x, norms]);
  return radii;
}

/** Share of `query` rows that fall inside some ball (centre row of `support`, radius radii[i]). */
export function shareInside(query: Float32Array, support: Float32Array, radii: Float32Array, dim: number): number {
  const nq = query.length / dim;
  const ns = support.length / dim;
  const q = tf.tensor2d(query, [nq, dim]);
  const s = tf.tensor2d(support, [ns, dim]);
  const sNorms = tf.sum(tf.square(s), 1).reshape([1, ns]);
  const r2 = tf.tensor2d(
    radii.map((r) => r * r),
    [1, ns],
  );
  let inside = 0;
  for (let start = 0; start < nq; start += BLOCK) {
    const size = Math.min(BLOCK, nq - start);
    const hits = tf.tidy(() =>
      tf.sum(tf.cast(tf.any(tf.lessEqual(squaredDistanceBlock(q, start, size, s, sNorms), r2), 1), 'float32')),
    );
    inside += hits.dataSync()[0]!;
    hits.dispose();
  }
  tf.dispose([q, s, sNorms, r2]);
  return inside / nq;
}

export interface PrecisionRecall {
  precision: number;
  recall: number;
  k: number;
  realCount: number;
  generatedCount: number;
}

export function precisionRecall(real: Float32Array, generated: Float32Array, dim: number, k = 3): PrecisionRecall {
  const precision = shareInside(generated, real, knnRadii(real, dim, k), dim);
  const recall = shareInside(real, generated, knnRadii(generated, dim, k), dim);
  return { precision, recall, k, realCount: real.length / dim, generatedCount: generated.length / dim };
}

/** Mean Euclidean distance over all pairs of rows (0 for fewer than two rows). */
export function meanPairwiseDistance(features: Float32Array, dim: number): number {
  const n = features.length / dim;
  if (n < 2) return 0;
  const x = tf.tensor2d(features, [n, dim]);
  const norms = tf.sum(tf.square(x), 1).reshape([1, n]);
  let sum = 0;
  for (let start = 0; start < n; start += BLOCK) {
    const size = Math.min(BLOCK, n - start);
    const s = tf.tidy(() => tf.sum(tf.sqrt(squaredDistanceBlock(x, start, size, x, norms))));
    sum += s.dataSync()[0]!;
    s.dispose();
  }
  tf.dispose([x, norms]);
  return sum / (n * (n - 1));
}
