/**
 * A frozen feature network for the VAE's perceptual (feature-matching) loss, after Hou et al. 2017
 * ("Deep Feature Consistent VAE"): a garment CNN trained by `npm run train:cnn`, cut after its
 * convolution stages, whose activations of a reconstruction must match those of the original.
 * A per-pixel likelihood forgives a coat drawn without its zip or buttons (a few grey pixels); a
 * classifier's early features do not, since they are what tells a coat from a pullover.
 *
 * It must not be the judge (models/cnn) that scores the samples: a model trained to please the
 * judge's own features would be graded by an accomplice.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { UserFacingError } from '../../errors';
import { tf } from '../backend';
import { loadLayersModel } from './storage';
import { IMAGE_PIXELS } from '../../../lib/image';

/** The committed VAE's setting: weight 1, all three conv stages of the CNN in models/perceptual-cnn (models/vae/training-log.json). */
export const PERCEPTUAL_WEIGHT = 1;
export const PERCEPTUAL_MODEL = 'perceptual-cnn';
export const PERCEPTUAL_LAYERS = 3;

/** Batch-normalized conv stages whose (rectified) outputs can be matched: 28x28, 14x14, 7x7. */
const CONV_STAGES = ['bn1', 'bn2', 'bn3'];

/** The first `stages` conv stages' outputs of a garment CNN as a frozen model image -> [features...]. */
export function featureExtractor(cnn: tfTypes.LayersModel, stages = 2): tfTypes.LayersModel {
  const layers = CONV_STAGES.slice(0, stages);
  const names = new Set(cnn.layers.map((l) => l.name));
  const missing = layers.filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new UserFacingError(
      `${cnn.name} has no layer ${missing.join(', ')}: the perceptual loss needs a garment CNN trained by npm run train:cnn.`,
    );
  }
  const outputs = layers.map((n) => cnn.getLayer(n).output as tfTypes.SymbolicTensor);
  const model = tf.model({ inputs: cnn.inputs, outputs, name: 'perceptual_features' });
  model.trainable = false;
  return model;
}

export async function loadFeatureExtractor(dir: string, stages = 2): Promise<tfTypes.LayersModel> {
  return featureExtractor(await loadLayersModel(dir), stages);
}

/**
 * Per-image feature distance: for each layer, the mean squared difference of the rectified
 * activations, scaled by 784 so that a weight of 1 weighs it like a loss summed over the pixels.
 * Only xHat's side carries gradients to the VAE (x is data; the network itself is not trained).
 */
export function perceptualDistance(
  features: tfTypes.LayersModel,
  x: tfTypes.Tensor,
  xHat: tfTypes.Tensor,
): tfTypes.Tensor1D {
  const n = x.shape[0]!;
  const a = features.apply(x, { training: false }) as tfTypes.Tensor[];
  const b = features.apply(xHat, { training: false }) as tfTypes.Tensor[];
  const perLayer = a.map((fa, i) =>
    tf.mul(IMAGE_PIXELS, tf.mean(tf.square(tf.sub(tf.relu(fa), tf.relu(b[i]!))).reshape([n, -1]), 1)),
  );
  return tf.addN(perLayer) as tfTypes.Tensor1D;
}
