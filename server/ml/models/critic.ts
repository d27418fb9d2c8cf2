/**
 * An adversarial term for the VAE (after Larsen et al. 2016, "VAE-GAN"): a small class-conditional
 * critic learns to tell training images from the decoder's reconstructions, and the decoder is
 * pushed towards images the critic takes for real. The likelihood and the perceptual loss forgive a
 * slightly blurred garment; a critic does not, and blur is what keeps generated images apart from
 * real ones in a classifier's features (the assessment's Fréchet distance).
 *
 * The training loop takes the gradient of one scalar with respect to every variable and applies one
 * optimizer (replica.ts). Both players fit in that one scalar:
 *   critic loss     softplus(-D(x)) + softplus(D(sg(x̂)))        only the critic sees it: x̂ is cut off
 *   generator loss  softplus(-D(x̂)) - softplus(-D(sg(x̂)))       value 0; its critic gradient cancels,
 * so the critic gets exactly the gradient of its own loss and the decoder the non-saturating
 * generator gradient of softplus(-D(x̂)), scaled by the arch's adversarialWeight.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { IMAGE_SIZE } from '../../../lib/image';
import { NUM_CLASSES } from './cnn';

export const CRITIC_NAME = 'vae_critic';

/**
 * The committed VAE's adversarial weight (train:vae's default, and live sessions'): at full length
 * it lowered the Fréchet distance from 5.39 to 3.69 against no critic (issue 3's note, README).
 */
export const ADVERSARIAL_WEIGHT = 40;

type Sym = tfTypes.SymbolicTensor;

/**
 * image (28x28x1), one-hot label -> one logit (real vs generated). Stride-2 convolutions with
 * leaky ReLUs and a dense layer that sees the label; the default (16, 32 channels, 64 units) has
 * ~110 k parameters.
 */
export function buildCritic(seed: number, filters: readonly number[] = [16, 32], dense = 64): tfTypes.LayersModel {
  let s = seed * 1000 + 500;
  const he = () => tf.initializers.heNormal({ seed: s++ });
  const image = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const label = tf.input({ shape: [NUM_CLASSES], name: 'label' });
  let x: Sym = image;
  filters.forEach((f, i) => {
    x = tf.layers
      .conv2d({
        filters: f,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        kernelInitializer: he(),
        name: `critic_conv${i + 1}`,
      })
      .apply(x) as Sym;
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `critic_act${i + 1}` }).apply(x) as Sym;
  });
  x = tf.layers.flatten({ name: 'critic_flat' }).apply(x) as Sym;
  x = tf.layers.concatenate({ name: 'critic_with_label' }).apply([x, label]) as Sym;
  x = tf.layers.dense({ units: dense, kernelInitializer: he(), name: 'critic_dense' }).apply(x) as Sym;
  x = tf.layers.leakyReLU({ alpha: 0.2, name: 'critic_dense_act' }).apply(x) as Sym;
  const logit = tf.layers.dense({ units: 1, kernelInitializer: he(), name: 'critic_logit' }).apply(x) as Sym;
  return tf.model({ inputs: [image, label], outputs: logit, name: CRITIC_NAME });
}

/** Identity forward, no gradient backward (tf.js has no stop_gradient op). */
export const stopGradient = tf.customGrad((...args: (tfTypes.Tensor | tfTypes.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tfTypes.Tensor),
  gradFunc: (dy: tfTypes.Tensor | tfTypes.Tensor[]) => tf.zerosLike(dy as tfTypes.Tensor),
})) as (x: tfTypes.Tensor) => tfTypes.Tensor;

export interface AdversarialTerms {
  /** per image: the critic's loss (reaches only the critic's weights) */
  critic: tfTypes.Tensor1D;
  /** per image: value 0, gradient the non-saturating generator loss (reaches only the decoder side) */
  generator: tfTypes.Tensor1D;
  /** per image: the critic's probability that the real image is real, and that the reconstruction is */
  realScore: tfTypes.Tensor1D;
  fakeScore: tfTypes.Tensor1D;
}

/** The two players' terms for a batch of real images and their reconstructions (both in [0, 1]). */
export function adversarialTerms(
  critic: tfTypes.LayersModel,
  real: tfTypes.Tensor,
  fake: tfTypes.Tensor,
  label: tfTypes.Tensor,
): AdversarialTerms {
  const score = (images: tfTypes.Tensor): tfTypes.Tensor1D =>
    (critic.apply([images, label], { training: true }) as tfTypes.Tensor).reshape([-1]) as tfTypes.Tensor1D;
  const dReal = score(real);
  const dFake = score(fake);
  const dFakeCut = score(stopGradient(fake));
  return {
    critic: tf.add(tf.softplus(tf.neg(dReal)), tf.softplus(dFakeCut)) as tfTypes.Tensor1D,
    generator: tf.sub(tf.softplus(tf.neg(dFake)), tf.softplus(tf.neg(dFakeCut))) as tfTypes.Tensor1D,
    realScore: tf.sigmoid(dReal) as tfTypes.Tensor1D,
    fakeScore: tf.sigmoid(dFakeCut) as tfTypes.Tensor1D,
  };
}
