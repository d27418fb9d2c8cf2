/**
 * The conditional VAE as a training task: reparameterized sampling, Bernoulli reconstruction loss
 * (plus, optionally, a perceptual loss in a frozen CNN's features) and the KL term in nats per
 * image, with the KL weight rising linearly to beta over the first epochs. The epoch evaluation
 * reports the test ELBO (beta = 1, the true bound) and pictures for live viewers: reconstructions
 * of fixed test images and a fixed-noise sample grid per class.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { CLASS_NAMES, type DatasetSplit } from '../data/fashionMnist';
import { imagesToTensor } from '../models/classifier';
import { encodeGridPng, pngDataUrl } from '../image';
import { NUM_CLASSES } from '../models/cnn';
import { buildVae, saveVae, splitCombined, VaeArchSchema, type Vae, type VaeArch } from '../models/vae';
import { countParams } from '../models/storage';
import { decodeLatents, sample } from '../models/sample';
import { encodePosteriors, fitClassPriors, saveClassPriors } from '../models/classPrior';
import { perceptualDistance } from '../models/perceptual';
import { adversarialTerms } from '../models/critic';
import type { Batch, EpochEvaluation, EvaluationSets, StepContext, StepResult, TrainingTask } from './task';
import { judgeImages, type Judge } from '../models/judge';
import type { ClassPriors } from '../models/classPrior';
import { frechetToHalvings, realHalvings, type RealHalvings } from '../frechet';
import { imageAt, imagesFrom } from '../../../lib/image';

const RECONSTRUCTION_COUNT = 8;
/** Plain samples behind an epoch's validation Fréchet figure (at most half the validation images). */
const FRECHET_SAMPLES = 2500;
const FRECHET_SEED = 20261206;
const SAMPLES_PER_CLASS = 4;
/** Fixed latents for the per-epoch sample grid, so viewers watch the same draws sharpen. */
const GRID_SEED = 20240501;

/** Per-image negative log-likelihood of x under Bernoulli(sigmoid(logits)), summed over pixels (nats). */
export function bernoulliNll(x: tfTypes.Tensor, logits: tfTypes.Tensor): tfTypes.Tensor1D {
  // Stable form of -[x log σ(l) + (1 - x) log(1 - σ(l))] = max(l, 0) - l x + log(1 + e^-|l|)
  const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.sum(perPixel.reshape([x.shape[0]!, -1]), 1) as tfTypes.Tensor1D;
}

/**
 * Per-image KL(N(mean, exp(logVar)) || N(priorMean, I)) in nats; without priorMean the prior is
 * N(0, I).
 */
export function gaussianKl(mean: tfTypes.Tensor, logVar: tfTypes.Tensor, priorMean?: tfTypes.Tensor): tfTypes.Tensor1D {
  const offset = priorMean ? tf.sub(mean, priorMean) : mean;
  return tf.mul(
    0.5,
    tf.sum(tf.sub(tf.add(tf.exp(logVar), tf.square(offset)), tf.add(1, logVar)), 1),
  ) as tfTypes.Tensor1D;
}

/** The KL weight at a point of training: linear from klWarmupStart x beta to beta over klWarmupEpochs. */
export function klWeight(arch: VaeArch, ctx: StepContext): number {
  if (arch.klWarmupEpochs <= 0) return arch.beta;
  const t = Math.min(1, (ctx.epoch + ctx.step / ctx.stepsPerEpoch) / arch.klWarmupEpochs);
  return arch.beta * (arch.klWarmupStart + (1 - arch.klWarmupStart) * t);
}

export interface ElboReport {
  /** mean ELBO in nats per image (higher is better); -elbo bounds the negative log-likelihood */
  elbo: number;
  reconstruction: number;
  kl: number;
  count: number;
}

/**
 * The ELBO of a labelled image set (beta = 1), one latent draw per image from a fixed seed so the
 * figure is reproducible.
 */
export function evaluateElbo(
  vae: Vae,
  images: Uint8Array | Float32Array,
  labels: Uint8Array,
  seed = 7,
  batchSize = 500,
): ElboReport {
  let recSum = 0;
  let klSum = 0;
  const n = labels.length;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [rec, kl] = tf.tidy(() => {
      const x = imagesToTensor(images, start, size);
      const y = tf.oneHot(tf.tensor1d(labels.subarray(start, start + size), 'int32'), NUM_CLASSES).toFloat();
      const [mean, logVar, priorMean] = vae.encoder.predict([x, y]) as tfTypes.Tensor[];
      const eps = tf.randomNormal(mean!.shape, 0, 1, 'float32', seed + start);
      const z = tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps));
      const logits = vae.decoder.predict([z, y]) as tfTypes.Tensor;
      return [tf.sum(bernoulliNll(x, logits)), tf.sum(gaussianKl(mean!, logVar!, priorMean))];
    });
    recSum += rec!.dataSync()[0]!;
    klSum += kl!.dataSync()[0]!;
    tf.dispose([rec!, kl!]);
  }
  return { elbo: -(recSum + klSum) / n, reconstruction: recSum / n, kl: klSum / n, count: n };
}

/** Decoder means of the posterior means: what the VAE makes of given images (in [0, 1], batched). */
export function reconstruct(vae: Vae, images: Uint8Array, labels: Uint8Array): Float32Array {
  return decodeLatents(
    vae.decoder,
    encodePosteriors(vae.encoder, { images, labels, count: labels.length }).means,
    labels,
  );
}

/** The validation images' halvings in a judge's features and their real-vs-real floor: judged once per judge. */
export interface ValidationReference {
  of: DatasetSplit;
  h: RealHalvings;
  realVsReal: number;
}

export function validationReference(judge: Judge, validation: DatasetSplit): ValidationReference {
  const real = judgeImages(judge, validation.images).features;
  const h = realHalvings(real, judge.featureSize, validation.count, FRECHET_SAMPLES);
  return { of: validation, h, realVsReal: frechetToHalvings(h, real, true).mean };
}

/**
 * Fréchet distances in the judge's features to halvings of the validation images (as `assess`
 * measures them, see server/ml/frechet.ts), over the real-vs-real floor: of the decoder's
 * reconstructions of the validation images, and of plain samples from `prior` (one Gaussian per
 * class fitted on these same validation images). A run (and train:vae --greedy-soup) chooses on
 * the reconstructions: the decoder is what limits the committed VAE (its reconstructions alone sit
 * near its samples' ratio, see models/vae/README.md), and the served prior is refitted after
 * training (60 Gaussians per class on the training images), so a one-Gaussian prior's samples here
 * say little about the served samples. The reconstructions' figure is not a bound on the samples'
 * (a prior can do better, e.g. below temperature 1), and sharper reconstructions may come with a
 * latent space a prior fits worse; the samples' figure is recorded beside it so a reader can see
 * when the two disagree.
 */
export function validationFrechet(vae: Vae, judge: Judge, reference: ValidationReference, prior: ClassPriors) {
  const { of: validation, h, realVsReal } = reference;
  const recon = reconstruct(vae, validation.images, validation.labels);
  const reconstructionVsReal = frechetToHalvings(h, judgeImages(judge, recon).features, true).mean;
  const classes = Array.from({ length: h.sampleSize }, (_, i) => i % NUM_CLASSES);
  const plain = sample(vae.decoder, classes, classes.length, FRECHET_SEED, 1, prior);
  const generatedVsReal = frechetToHalvings(h, judgeImages(judge, plain.images).features).mean;
  if (!(realVsReal > 0) || !Number.isFinite(reconstructionVsReal) || !Number.isFinite(generatedVsReal))
    throw new Error(
      `validation Fréchet figures are not usable (real vs real ${realVsReal}, reconstructions ${reconstructionVsReal}, samples ${generatedVsReal}): is ${judge.dir} a trained classifier?`,
    );
  return {
    validationReconstructionRatio: reconstructionVsReal / realVsReal,
    validationSampleRatio: generatedVsReal / realVsReal,
    validationFrechet: {
      reconstructionVsReal,
      generatedVsReal,
      realVsReal,
      sampleSize: h.sampleSize,
      judge: judge.dir,
    },
  };
}

export class VaeTask implements TrainingTask {
  readonly kind = 'vae' as const;
  readonly model: tfTypes.LayersModel;
  readonly vae: Vae;
  private readonly arch: VaeArch;
  private readonly seed: number;
  /** the frozen feature network of the perceptual loss, when arch.perceptualWeight > 0 */
  private readonly features?: tfTypes.LayersModel;
  /** The held-out images of the last evaluation, which a snapshot fits its latent prior on. */
  private priorImages?: DatasetSplit;
  /** train:vae --frechet-judge: the classifier whose features the validation Fréchet figures are in */
  private readonly judge?: Judge;
  /** the validation images' halvings in the judge's features, judged once (the judge does not train) */
  private reference?: ValidationReference;

  constructor(
    arch: Record<string, unknown>,
    seed: number,
    model?: tfTypes.LayersModel,
    features?: tfTypes.LayersModel,
    judge?: Judge,
  ) {
    this.arch = VaeArchSchema.parse(arch);
    this.seed = seed;
    this.judge = judge;
    if (this.arch.perceptualWeight > 0 && !features)
      throw new Error('VaeTask: a perceptual weight needs the feature network');
    this.features = this.arch.perceptualWeight > 0 ? features : undefined;
    this.vae = model ? splitCombined(model) : buildVae(this.arch, seed);
    if (this.arch.adversarialWeight > 0 !== (this.vae.critic !== undefined)) {
      throw new Error(
        `VaeTask: ${this.arch.adversarialWeight > 0 ? 'an adversarial weight needs a model with a critic' : 'a model with a critic needs an adversarial weight'}`,
      );
    }
    this.model = this.vae.combined;
  }

  variables(): tfTypes.Variable[] {
    return this.model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  }

  stateVariables(): tfTypes.LayerVariable[] {
    return [];
  }

  step(batch: Batch, ctx: StepContext): StepResult {
    const x = tf.tensor4d(imagesFrom(batch.images, 0, batch.size), [batch.size, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(batch.labels.subarray(0, batch.size), 'int32'), NUM_CLASSES).toFloat();
    const [mean, logVar, priorMean] = this.vae.encoder.apply([x, y], { training: true }) as tfTypes.Tensor[];
    // Seeded by the global step: a resumed run draws the same noise as an uninterrupted one.
    const noiseSeed = this.seed * 1_000_003 + ctx.epoch * ctx.stepsPerEpoch + ctx.step;
    const eps = tf.randomNormal(mean!.shape, 0, 1, 'float32', noiseSeed);
    const z = tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps));
    const logits = this.vae.decoder.apply([z, y], { training: true }) as tfTypes.Tensor;
    let perImage = tf.add(
      bernoulliNll(x, logits),
      tf.mul(klWeight(this.arch, ctx), gaussianKl(mean!, logVar!, priorMean)),
    );
    const reconstruction = this.features || this.vae.critic ? tf.sigmoid(logits) : undefined;
    if (this.features) {
      perImage = tf.add(
        perImage,
        tf.mul(this.arch.perceptualWeight, perceptualDistance(this.features, x, reconstruction!)),
      );
    }
    if (this.vae.critic) {
      // Both players in the one loss (models/critic.ts): the critic term reaches only the critic,
      // the generator term (value 0) only the encoder and decoder.
      const adv = adversarialTerms(this.vae.critic, x, reconstruction!, y);
      perImage = tf.add(perImage, tf.add(adv.critic, tf.mul(this.arch.adversarialWeight, adv.generator)));
    }
    return { loss: tf.mean(perImage) as tfTypes.Scalar };
  }

  async evaluate(test: DatasetSplit, _epoch = 0, extra: EvaluationSets = {}): Promise<EpochEvaluation> {
    const report = evaluateElbo(this.vae, test.images, test.labels);
    const validation = extra.validation && evaluateElbo(this.vae, extra.validation.images, extra.validation.labels);
    const k = Math.min(RECONSTRUCTION_COUNT, test.count);
    const originals = Float32Array.from(imagesFrom(test.images, 0, k), (v) => v / 255);
    const recon = reconstruct(this.vae, imagesFrom(test.images, 0, k), test.labels.subarray(0, k));
    const critic = this.vae.critic ? criticScores(this.vae, test, Math.min(CRITIC_EVAL_COUNT, test.count)) : undefined;
    const reconPng = encodeGridPng(
      [originals, recon].flatMap((set) => splitImages(set, k)),
      { cols: k, rowCaptions: ['test', 'VAE'] },
    );
    const classes = Array.from({ length: NUM_CLASSES * SAMPLES_PER_CLASS }, (_, i) =>
      Math.floor(i / SAMPLES_PER_CLASS),
    );
    // Latents from per-class Gaussians fitted on training images (a seeded subset, `priorFit`), as
    // generation does: from N(0, I) the decoder largely ignores the requested class. Not on the
    // validation images the sample figure is scored against, nor on test images. (A caller that
    // passes none, a test, gets the validation set, else these images.)
    this.priorImages = extra.priorFit ?? extra.validation ?? test;
    const prior = fitClassPriors(this.vae.encoder, this.priorImages);
    const grid = sample(this.vae.decoder, classes, classes.length, GRID_SEED, 1, prior);
    const samplesPng = encodeGridPng(grid.images, { cols: SAMPLES_PER_CLASS, rowCaptions: [...CLASS_NAMES] });
    if (this.judge && extra.validation && this.reference?.of !== extra.validation)
      this.reference = validationReference(this.judge, extra.validation);
    const frechet =
      this.judge && extra.validation && this.reference
        ? validationFrechet(this.vae, this.judge, this.reference, prior)
        : undefined;
    return {
      // With a validation set its bound is the headline; the run's choice is made on it, or with a
      // Fréchet judge on validationReconstructionRatio (selection.ts).
      ...(validation
        ? {
            headline: -validation.elbo,
            headlineName: 'validation -ELBO',
            validationElbo: validation.elbo,
            validationReconstruction: validation.reconstruction,
            validationKl: validation.kl,
            validationImages: extra.validation!.count,
          }
        : { headline: -report.elbo, headlineName: 'test -ELBO' }),
      headlineUnit: 'nats/image',
      testElbo: report.elbo,
      testReconstruction: report.reconstruction,
      testKl: report.kl,
      klWeight: this.arch.beta,
      reconstructions: pngDataUrl(reconPng),
      samples: pngDataUrl(samplesPng),
      samplesLatents: `per-class Gaussians fitted on ${extra.priorFit ? `${extra.priorFit.count} training images (a seeded subset)` : `the ${extra.validation ? 'validation' : 'test'} images`}`,
      // Whether the critic still tells them apart (near 0.5 / 0.5: fooled or collapsed; 1 / 0: winning)
      ...(critic ? { criticRealScore: critic.real, criticReconstructionScore: critic.fake } : {}),
      ...frechet,
    };
  }

  /**
   * Encoder, decoder and a latent prior fitted with this encoder on the last evaluation's images: a
   * VAE folder the generator loads. Fitted here, not kept from the evaluation: a weight average
   * (--ema) is evaluated after the trained weights, and the snapshot is of the trained ones.
   */
  async snapshot(dir: string): Promise<void> {
    await saveVae(this.vae, dir);
    if (this.priorImages) await saveClassPriors(fitClassPriors(this.vae.encoder, this.priorImages), dir);
  }

  auxiliaryParams(): number {
    return this.vae.critic ? countParams(this.vae.critic) : 0;
  }

  describe(): Record<string, unknown> {
    const encoderParams = countParams(this.vae.encoder);
    const decoderParams = countParams(this.vae.decoder);
    const criticParams = this.auxiliaryParams();
    return {
      // the saved model's (encoder and decoder); a critic's are counted apart
      params: encoderParams + decoderParams,
      encoderParams,
      decoderParams,
      // trained alongside, not part of the saved VAE
      ...(criticParams > 0 ? { criticParams } : {}),
      latent: this.vae.latent,
    };
  }
}

const CRITIC_EVAL_COUNT = 500;

/** The critic's mean probability of "real" for test images and for their reconstructions. */
function criticScores(vae: Vae, test: DatasetSplit, count: number): { real: number; fake: number } {
  const recon = reconstruct(vae, imagesFrom(test.images, 0, count), test.labels.subarray(0, count));
  const [real, fake] = tf.tidy(() => {
    const x = imagesToTensor(test.images, 0, count);
    const y = tf.oneHot(tf.tensor1d(test.labels.subarray(0, count), 'int32'), NUM_CLASSES).toFloat();
    const score = (images: tfTypes.Tensor) =>
      tf.mean(tf.sigmoid(vae.critic!.predict([images, y]) as tfTypes.Tensor)).dataSync()[0]!;
    return [score(x), score(tf.tensor4d(recon, [count, 28, 28, 1]))];
  });
  return { real: real!, fake: fake! };
}

function splitImages(flat: Float32Array, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => imageAt(flat, i));
}
