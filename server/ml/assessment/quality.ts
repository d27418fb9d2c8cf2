/**
 * The honest assessment of a conditional VAE. Beside the predecessor's figure (the judge CNN's
 * accuracy and confidence on the kept best-of-N samples) it reports the same on plain samples
 * (best of 1), and measures that filtering cannot flatter, in the judge's feature space: Fréchet
 * distance to real test images with the real-vs-real distance of equal sample size as its scale,
 * k-NN precision/recall, within-class diversity, and the test ELBO in nats per image.
 */
import { CLASS_NAMES, type DatasetSplit } from '../data/fashionMnist';
import { NUM_CLASSES } from '../models/cnn';
import type { Vae } from '../models/vae';
import type { ClassPriors } from '../models/classPrior';
import { sample, sampleTrainedPrior } from '../models/sample';
import { qualityGuided } from '../generation/select';
import { evaluateElbo, reconstruct, type ElboReport } from '../training/vaeTask';
import { DEFAULT_FRECHET_SPLITS, frechetToHalvings, realHalvings, rowsOf, type RealHalvings } from '../frechet';
import { confidenceOf, judgeImages, predictedClasses, type Judge } from '../models/judge';
import { meanPairwiseDistance, precisionRecall, type PrecisionRecall } from './prd';

export const CONFIDENT = 0.95;
export { DEFAULT_FRECHET_SPLITS } from '../frechet';

export interface JudgeFigures {
  /** share of samples the judge classifies as the requested class */
  accuracy: number;
  /** mean judge probability of the requested class */
  meanConfidence: number;
  /** share with that probability above 0.95 */
  shareConfident: number;
  count: number;
}

export interface ClassAssessment {
  label: number;
  name: string;
  unfiltered: JudgeFigures;
  filtered: JudgeFigures;
  /** mean pairwise feature distance among this class's plain samples, and among real test images */
  diversity: number;
  realDiversity: number;
}

export interface VaeAssessment {
  /** the real images everything is measured against ("test" unless assess --split validation; absent in older assessments: test) */
  split?: RealSplit;
  nPerClass: number;
  bestOf: number;
  filteredPerClass: number;
  seed: number;
  /** latent standard deviation the samples were drawn with (1 = the prior; below 1 trades diversity for fidelity) */
  temperature: number;
  judge: { dir: string; testAccuracy: number };
  perClass: ClassAssessment[];
  overall: { unfiltered: JudgeFigures; filtered: JudgeFigures };
  /** where the latents came from; with 'class-fitted', the plain figures under N(0, I) as well */
  prior: 'class-fitted' | 'standard-normal';
  /** with 'class-fitted': Gaussians in each class's fitted latent mixture */
  priorComponents?: number[];
  standardPriorUnfiltered?: JudgeFigures;
  /** with 'class-fitted' and a VAE trained against N(mu_y, I): the plain figures under that prior */
  trainedPriorUnfiltered?: JudgeFigures;
  frechet: {
    /** mean over the real splits of the distance from the generated set to each split's reference half */
    generatedVsReal: number;
    /** mean over the same splits of the distance between the two disjoint real halves: the floor set by sampling */
    realVsReal: number;
    ratio: number;
    /**
     * mean over the same splits of the distance from the decoder's reconstructions (posterior means)
     * of the other half's images to the reference: what the decoder makes of real images' own latents,
     * a reference for the samples, not a bound on them (samples can score below it)
     */
    reconstructionVsReal: number;
    sampleSize: number;
    featureSize: number;
    /** random halvings of the real test set, drawn from fixed seeds (the same for every --seed and model) */
    splits: number;
    perSplit: { generatedVsReal: number; realVsReal: number; reconstructionVsReal: number }[];
  };
  precisionRecall: PrecisionRecall;
  diversity: { generated: number; real: number };
  testElbo: ElboReport;
  /** this seed's own work */
  seconds: number;
  /** the seed-independent part's (realReference), computed once however many seeds share it */
  referenceSeconds?: number;
}

/** Which real images an assessment measures against: the test set (reports) or the validation hold-out (choices). */
export type RealSplit = 'test' | 'validation';

export interface AssessOptions {
  /** what `test` passed to assessVae is (default 'test'); the figures keep their test* names either way */
  split?: RealSplit;
  nPerClass: number;
  bestOf: number;
  /** samples per class for the filtered figures, each the best of `bestOf` fresh candidates */
  filteredPerClass: number;
  seed: number;
  /** k of the k-NN manifolds */
  k?: number;
  /** per-class latent Gaussians to sample from (see models/classPrior.ts); N(0, I) when absent */
  prior?: ClassPriors;
  /** latent standard deviation (default 1, the prior) */
  temperature?: number;
  /** random halvings of the real test set the Fréchet figures are averaged over (default 5) */
  frechetSplits?: number;
  onProgress?: (message: string) => void;
}

function judgeFigures(
  confidence: ArrayLike<number>,
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
): JudgeFigures {
  const n = labels.length;
  let correct = 0;
  let sum = 0;
  let confident = 0;
  for (let i = 0; i < n; i++) {
    if (predicted[i] === labels[i]) correct++;
    sum += confidence[i]!;
    if (confidence[i]! > CONFIDENT) confident++;
  }
  return { accuracy: correct / n, meanConfidence: sum / n, shareConfident: confident / n, count: n };
}

const indicesWhere = (labels: ArrayLike<number>, c: number): number[] =>
  Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === c);

/**
 * What an assessment measures against and does not depend on the sampling seed: the judge's view of
 * the real images, the real halvings with their sampling floor, the decoder's reconstructions and the
 * ELBO. `assess --seeds` computes it once and passes it to every seed's assessVae.
 */
export interface RealReference {
  /** what it was computed from: assessVae refuses it for anything else */
  made: { vae: Vae; judge: Judge; real: DatasetSplit; frechetSplits: number };
  split: RealSplit;
  realFeatures: Float32Array;
  judgeTestAccuracy: number;
  /** the real halvings (their sampleSize is every compared set's size) and, per halving, the two seed-independent distances */
  halvings: RealHalvings;
  realVsReal: number[];
  reconstructionVsReal: number[];
  testElbo: ElboReport;
  /** seconds it took to compute */
  seconds: number;
}

/** The seed-independent part of an assessment (see RealReference). */
export function realReference(
  vae: Vae,
  judge: Judge,
  test: DatasetSplit,
  o: Pick<AssessOptions, 'split' | 'nPerClass' | 'frechetSplits' | 'onProgress'>,
): RealReference {
  const t0 = performance.now();
  const say = o.onProgress ?? (() => undefined);
  const dim = judge.featureSize;
  const splitCount = o.frechetSplits ?? DEFAULT_FRECHET_SPLITS; // realHalvings checks it
  say(`judging the real ${o.split ?? 'test'} images`);
  const real = judgeImages(judge, test.images);
  const realPredicted = predictedClasses(real);
  const judgeTestAccuracy = realPredicted.reduce((n, p, i) => n + (p === test.labels[i] ? 1 : 0), 0) / test.count;
  const halvings = realHalvings(real.features, dim, test.count, o.nPerClass * NUM_CLASSES, splitCount);
  say('reconstructions and the real halvings');
  const reconstructed = judgeImages(judge, reconstruct(vae, test.images, test.labels)).features;
  const realVsReal = frechetToHalvings(halvings, real.features, true).perSplit;
  const reconstructionVsReal = frechetToHalvings(halvings, reconstructed, true).perSplit;
  say(`${o.split ?? 'test'} ELBO`);
  const testElbo = evaluateElbo(vae, test.images, test.labels);
  return {
    made: { vae, judge, real: test, frechetSplits: splitCount },
    split: o.split ?? 'test',
    realFeatures: real.features,
    judgeTestAccuracy,
    halvings,
    realVsReal,
    reconstructionVsReal,
    testElbo,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * One seed's assessment. `reference` is the seed-independent part (realReference); pass the same
 * one to several seeds to compute it once. It must come from the same VAE, judge, real images and
 * options.
 */
export async function assessVae(
  vae: Vae,
  judge: Judge,
  test: DatasetSplit,
  o: AssessOptions,
  reference: RealReference = realReference(vae, judge, test, o),
): Promise<VaeAssessment> {
  const t0 = performance.now();
  const say = o.onProgress ?? (() => undefined);
  const temperature = o.temperature ?? 1;
  const dim = judge.featureSize;
  const { made } = reference;
  const mismatch = [
    made.vae !== vae && 'VAE',
    made.judge !== judge && 'judge',
    made.real !== test && 'real images',
    reference.split !== (o.split ?? 'test') && 'split',
    made.frechetSplits !== (o.frechetSplits ?? DEFAULT_FRECHET_SPLITS) && 'number of real halvings',
    reference.halvings.sampleSize !== Math.min(o.nPerClass * NUM_CLASSES, Math.floor(test.count / 2)) && 'sample size',
  ].filter(Boolean);
  if (mismatch.length > 0)
    throw new RangeError(`assessVae: the real reference was computed for another ${mismatch.join(', ')}`);
  const real = { features: reference.realFeatures };

  say(`drawing ${o.nPerClass} plain samples per class`);
  const classes = Array.from({ length: o.nPerClass * NUM_CLASSES }, (_, i) => i % NUM_CLASSES);
  const plain = sample(vae.decoder, classes, classes.length, o.seed, temperature, o.prior);
  const judged = judgeImages(judge, plain.images);
  const plainConfidence = confidenceOf(judged, plain.labels);
  const plainPredicted = predictedClasses(judged);

  // With fitted class priors, the same plain draw from N(0, I) too: what the decoder does without
  // them. Not the prior a `--prior class` model trained against, N(mu_y, I) with a learned mean per
  // class: that draw is measured beside it (the same noise, shifted by the class means).
  let standardPrior: JudgeFigures | undefined;
  let trainedPrior: JudgeFigures | undefined;
  if (o.prior) {
    const std = sample(vae.decoder, classes, classes.length, o.seed, temperature);
    const j = judgeImages(judge, std.images);
    standardPrior = judgeFigures(confidenceOf(j, std.labels), predictedClasses(j), std.labels);
    const trained = sampleTrainedPrior(vae.encoder, vae.decoder, classes, o.seed, temperature);
    if (trained) {
      const jt = judgeImages(judge, trained.images);
      trainedPrior = judgeFigures(confidenceOf(jt, trained.labels), predictedClasses(jt), trained.labels);
    }
  }

  say(`drawing ${o.filteredPerClass} samples per class, each the judge's best of ${o.bestOf}`);
  const filteredConfidence: number[][] = [];
  const filteredPredicted: number[][] = [];
  for (let c = 0; c < NUM_CLASSES; c++) {
    filteredConfidence.push([]);
    filteredPredicted.push([]);
    for (let i = 0; i < o.filteredPerClass; i++) {
      const r = qualityGuided(vae.decoder, judge, c, {
        k: 1,
        candidates: o.bestOf,
        seed: o.seed * 7919 + c * 100_003 + i,
        diversity: 0,
        prior: o.prior,
        temperature,
      });
      filteredConfidence[c]!.push(r.kept[0]!.confidence);
      filteredPredicted[c]!.push(r.kept[0]!.predicted);
    }
  }

  say('Fréchet distance, precision/recall and diversity in the judge feature space');
  const { halvings } = reference;
  const m = halvings.sampleSize;
  const generated = judged.features.subarray(0, m * dim);
  const toReal = frechetToHalvings(halvings, generated);
  const perSplit = toReal.perSplit.map((g, i) => ({
    generatedVsReal: g,
    realVsReal: reference.realVsReal[i]!,
    reconstructionVsReal: reference.reconstructionVsReal[i]!,
  }));
  const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const generatedVsReal = toReal.mean;
  const realVsReal = meanOf(reference.realVsReal);
  const reconstructionVsReal = meanOf(reference.reconstructionVsReal);
  const pr = precisionRecall(rowsOf(real.features, dim, halvings.firstOrder.subarray(0, m)), generated, dim, o.k ?? 3);

  const perClass: ClassAssessment[] = [];
  for (let c = 0; c < NUM_CLASSES; c++) {
    const gi = indicesWhere(plain.labels, c);
    const ri = indicesWhere(test.labels, c).slice(0, Math.max(2, o.nPerClass));
    perClass.push({
      label: c,
      name: CLASS_NAMES[c]!,
      unfiltered: judgeFigures(
        gi.map((i) => plainConfidence[i]!),
        gi.map((i) => plainPredicted[i]!),
        gi.map(() => c),
      ),
      filtered: judgeFigures(
        filteredConfidence[c]!,
        filteredPredicted[c]!,
        filteredConfidence[c]!.map(() => c),
      ),
      diversity: meanPairwiseDistance(rowsOf(judged.features, dim, gi), dim),
      realDiversity: meanPairwiseDistance(rowsOf(real.features, dim, ri), dim),
    });
  }
  const mean = (f: (c: ClassAssessment) => number): number => perClass.reduce((a, c) => a + f(c), 0) / NUM_CLASSES;

  const testElbo = reference.testElbo;
  return {
    split: o.split ?? 'test',
    nPerClass: o.nPerClass,
    bestOf: o.bestOf,
    filteredPerClass: o.filteredPerClass,
    seed: o.seed,
    temperature,
    judge: { dir: judge.dir, testAccuracy: reference.judgeTestAccuracy },
    perClass,
    overall: {
      unfiltered: judgeFigures(plainConfidence, plainPredicted, plain.labels),
      filtered: judgeFigures(
        filteredConfidence.flat(),
        filteredPredicted.flat(),
        filteredConfidence.flatMap((row, c) => row.map(() => c)),
      ),
    },
    prior: o.prior ? 'class-fitted' : 'standard-normal',
    priorComponents: o.prior?.classes.map((c) => c.components.length),
    standardPriorUnfiltered: standardPrior,
    trainedPriorUnfiltered: trainedPrior,
    frechet: {
      generatedVsReal,
      realVsReal,
      ratio: generatedVsReal / Math.max(realVsReal, 1e-12),
      reconstructionVsReal,
      sampleSize: m,
      featureSize: dim,
      splits: halvings.splits.length,
      perSplit,
    },
    precisionRecall: pr,
    diversity: { generated: mean((c) => c.diversity), real: mean((c) => c.realDiversity) },
    testElbo,
    seconds: (performance.now() - t0) / 1000,
    referenceSeconds: reference.seconds,
  };
}
