/**
 * Drawing garments from a trained conditional VAE decoder: seeded standard-normal latents (the
 * project's PRNG, so a seed gives the same images on any machine and thread) decoded to the
 * Bernoulli means (sigmoid of the logits), which are the images we show and judge.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { mulberry32 } from '../data/random';
import { NUM_CLASSES } from './cnn';
import { decoderLatentSize } from './vae';
import { applyClassPrior, type ClassPriors } from './classPrior';
import { UserFacingError } from '../../errors';
import { IMAGE_PIXELS } from '../../../lib/image';

export interface GeneratedSet {
  /** count x 784 floats in [0, 1] */
  images: Float32Array;
  /** count x latentSize: the latent vector each image was decoded from */
  latents: Float32Array;
  labels: Uint8Array;
  count: number;
  latentSize: number;
}

/** `count` independent N(0, 1) floats from a seed (Box-Muller on mulberry32). */
export function standardNormal(seed: number, count: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - random(); // (0, 1]: log(u) is finite
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Decodes latents (count x latentSize) with their classes into images in [0, 1]. */
export function decodeLatents(
  decoder: tfTypes.LayersModel,
  latents: Float32Array,
  labels: Uint8Array,
  batchSize = 256,
): Float32Array {
  const latentSize = decoderLatentSize(decoder);
  const count = labels.length;
  if (latents.length !== count * latentSize) {
    throw new RangeError(`${latents.length} latent values do not make ${count} vectors of ${latentSize}`);
  }
  const images = new Float32Array(count * IMAGE_PIXELS);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const out = tf.tidy(() => {
      const z = tf.tensor2d(latents.subarray(start * latentSize, (start + size) * latentSize), [size, latentSize]);
      const y = tf.oneHot(tf.tensor1d(labels.subarray(start, start + size), 'int32'), NUM_CLASSES).toFloat();
      return tf.sigmoid(decoder.predict([z, y]) as tfTypes.Tensor);
    });
    images.set(out.dataSync() as Float32Array, start * IMAGE_PIXELS);
    out.dispose();
  }
  return images;
}

/**
 * `n` images of one class (or of the given class per image), deterministic under `seed`.
 * `temperature` scales the latents' standard deviation (1 = the prior). With `prior`, latents come
 * from the per-class latent densities fitted after training (classPrior.ts), else from N(0, I).
 */
export function sample(
  decoder: tfTypes.LayersModel,
  classes: number | readonly number[],
  n: number,
  seed: number,
  temperature = 1,
  prior?: ClassPriors,
): GeneratedSet {
  const latentSize = decoderLatentSize(decoder);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = typeof classes === 'number' ? classes : classes[i % classes.length]!;
    if (!Number.isInteger(c) || c < 0 || c >= NUM_CLASSES)
      throw new RangeError(`class ${c} is outside 0-${NUM_CLASSES - 1}`);
    labels[i] = c;
  }
  const latents = standardNormal(seed, n * latentSize);
  if (temperature !== 1) for (let i = 0; i < latents.length; i++) latents[i]! *= temperature;
  if (prior) {
    if (prior.latent !== latentSize)
      throw new UserFacingError(
        `The latent prior (latent-prior.json) is for ${prior.latent} dimensions, but the decoder has ${latentSize}: refit it with npm run train:vae -- --fit-prior.`,
      );
    applyClassPrior(prior, latents, labels, mulberry32(seed ^ 0x5bd1e995));
  }
  return { images: decodeLatents(decoder, latents, labels), latents, labels, count: n, latentSize };
}

/**
 * The class means a `--prior class` VAE trained its posteriors towards (the prior N(mu_y, I)): the
 * encoder's `prior_mean` layer, one row of `latent` values per class; undefined for a VAE trained
 * against N(0, I), which has no such layer.
 */
export function trainedPriorMeans(encoder: tfTypes.LayersModel): Float32Array | undefined {
  const layer = encoder.layers.find((l) => l.name === 'prior_mean');
  if (!layer) return undefined;
  const [kernel] = layer.getWeights();
  if (!kernel || kernel.shape[0] !== NUM_CLASSES) return undefined;
  return kernel.dataSync() as Float32Array;
}

/**
 * `n` images drawn from the prior the VAE trained against, N(mu_y, I) (the same seeded noise as
 * `sample` without a fitted prior, shifted by each image's class mean); undefined when it trained
 * against N(0, I), where `sample` without a prior already is that draw.
 */
export function sampleTrainedPrior(
  encoder: tfTypes.LayersModel,
  decoder: tfTypes.LayersModel,
  classes: readonly number[],
  seed: number,
  temperature = 1,
): GeneratedSet | undefined {
  const means = trainedPriorMeans(encoder);
  if (!means) return undefined;
  const latentSize = decoderLatentSize(decoder);
  if (means.length !== NUM_CLASSES * latentSize) return undefined;
  const labels = Uint8Array.from(classes);
  const latents = standardNormal(seed, labels.length * latentSize);
  for (let i = 0; i < labels.length; i++) {
    for (let d = 0; d < latentSize; d++) {
      latents[i * latentSize + d] = temperature * latents[i * latentSize + d]! + means[labels[i]! * latentSize + d]!;
    }
  }
  return { images: decodeLatents(decoder, latents, labels), latents, labels, count: labels.length, latentSize };
}
