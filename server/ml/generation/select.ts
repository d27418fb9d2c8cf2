/**
 * Quality-guided generation: draw N candidates of a class, let the judge CNN score them (its
 * softmax probability of the requested class), and keep the best k that are not near-duplicates of
 * each other (greedy in order of confidence, with a minimum distance in the judge's feature space).
 * Every kept sample carries its latent vector and its judge confidence.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { UserFacingError } from '../../errors';
import { confidenceOf, judgeImages, predictedClasses, type Judge } from '../models/judge';
import type { ClassPriors } from '../models/classPrior';
import { sample } from '../models/sample';
import { imageAt } from '../../../lib/image';

export const MAX_CANDIDATES = 20_000;

export interface KeptSample {
  /** 784 floats in [0, 1] */
  image: Float32Array;
  latent: Float32Array;
  label: number;
  /** the judge's probability of `label` */
  confidence: number;
  /** the judge's top class */
  predicted: number;
  /** position among the candidates (the candidate drawn with the same seed by best-of-1 is 0) */
  candidate: number;
}

export interface QualityGuidedOptions {
  /** how many to keep */
  k: number;
  /** how many candidates to draw (N >= k) */
  candidates: number;
  seed: number;
  /**
   * Minimum feature distance between kept samples, as a fraction of the median distance between
   * candidates; 0 keeps the plain top k.
   */
  diversity?: number;
  temperature?: number;
  /** per-class latent Gaussians (see classPrior.ts); N(0, I) when absent */
  prior?: ClassPriors;
}

export interface QualityGuidedResult {
  kept: KeptSample[];
  candidates: number;
  /** the absolute minimum feature distance that was enforced */
  minDistance: number;
  /** kept samples that had to be taken below the minimum distance (too few distinct candidates) */
  relaxed: number;
}

export function checkCounts(k: number, candidates: number): void {
  if (!Number.isInteger(k) || k < 1)
    throw new UserFacingError(`The number of samples to keep must be a whole number of at least 1 (got ${k}).`);
  if (!Number.isInteger(candidates) || candidates < k || candidates > MAX_CANDIDATES) {
    throw new UserFacingError(
      `The number of candidates must be a whole number from ${k} (the samples kept) to ${MAX_CANDIDATES} (got ${candidates}).`,
    );
  }
}

const distance = (f: Float32Array, dim: number, a: number, b: number): number => {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = f[a * dim + d]! - f[b * dim + d]!;
    s += x * x;
  }
  return Math.sqrt(s);
};

/** Median distance among the first (up to) 64 points: the pool's scale, cheap to compute. */
export function medianDistance(features: Float32Array, dim: number, count: number): number {
  const m = Math.min(64, count);
  const ds: number[] = [];
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) ds.push(distance(features, dim, a, b));
  if (ds.length === 0) return 0;
  ds.sort((x, y) => x - y);
  return ds[ds.length >> 1]!;
}

/**
 * Indices of k points, greedily by descending score, each at least `minDistance` from those
 * already kept; when too few qualify, the best remaining are added and counted as relaxed.
 */
export function selectDiverse(
  scores: ArrayLike<number>,
  features: Float32Array,
  dim: number,
  k: number,
  minDistance: number,
): { indices: number[]; relaxed: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length === k) break;
    if (kept.every((j) => distance(features, dim, i, j) >= minDistance)) kept.push(i);
  }
  let relaxed = 0;
  for (const i of order) {
    if (kept.length === k) break;
    if (!kept.includes(i)) {
      kept.push(i);
      relaxed++;
    }
  }
  return { indices: kept, relaxed };
}

/** Draws `candidates` samples of class `label`, judges them and keeps the best diverse k. */
export function qualityGuided(
  decoder: tfTypes.LayersModel,
  judge: Judge,
  label: number,
  options: QualityGuidedOptions,
): QualityGuidedResult {
  const { k, candidates, seed } = options;
  checkCounts(k, candidates);
  const pool = sample(decoder, label, candidates, seed, options.temperature ?? 1, options.prior);
  const judged = judgeImages(judge, pool.images);
  const confidence = confidenceOf(judged, pool.labels);
  const predicted = predictedClasses(judged);
  const minDistance = (options.diversity ?? 0.5) * medianDistance(judged.features, judge.featureSize, candidates);
  const { indices, relaxed } = selectDiverse(confidence, judged.features, judge.featureSize, k, minDistance);
  const kept = indices.map((i) => ({
    image: imageAt(pool.images, i).slice(),
    latent: pool.latents.slice(i * pool.latentSize, (i + 1) * pool.latentSize),
    label,
    confidence: confidence[i]!,
    predicted: predicted[i]!,
    candidate: i,
  }));
  return { kept, candidates, minDistance, relaxed };
}
