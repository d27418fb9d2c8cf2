/**
 * The garment classifier: a compact VGG-style CNN with batch normalization. Three conv stages
 * (28->14->7->3) keep the compute per image near 8 M multiply-adds, so it trains at a useful speed
 * on two CPU cores, while the dense head gives it the capacity that 93-94 % needs. Dropout masks are
 * deliberately unseeded: a seeded tfjs dropout layer draws the same mask at every step.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { tf } from '../backend';

export const CnnArchSchema = z.object({
  /**
   * garment: the playground's classifier. reference-small: conv32-pool-conv64-pool-dense128, the
   * network the PyTorch reference figures were measured with (for benchmarks only).
   */
  variant: z.enum(['garment', 'reference-small']).default('garment'),
  filters: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]).default([32, 64, 128]),
  dense: z.number().int().min(1).default(256),
  dropout: z.number().min(0).max(0.9).default(0.4),
});
export type CnnArch = z.infer<typeof CnnArchSchema>;

export const IMAGE_SIZE = 28;
export const NUM_CLASSES = 10;

/** Builds the classifier; `seed` makes the initial weights reproducible. */
export function buildCnn(arch: Partial<CnnArch> = {}, seed = 1): tfTypes.LayersModel {
  const a = CnnArchSchema.parse(arch);
  let s = seed * 1000;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  if (a.variant === 'reference-small') return buildReferenceSmall(init);
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  let x: tfTypes.SymbolicTensor = input;
  a.filters.forEach((f, i) => {
    x = tf.layers
      .conv2d({ filters: f, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(), name: `conv${i + 1}` })
      .apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${i + 1}` }).apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' }).apply(x) as tfTypes.SymbolicTensor;
  });
  x = tf.layers.flatten().apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.dropout({ rate: a.dropout }).apply(x) as tfTypes.SymbolicTensor;
  // The penultimate layer is named so assessments can read its features (Fréchet distance etc.).
  x = tf.layers
    .dense({ units: a.dense, activation: 'relu', kernelInitializer: init(), name: 'features' })
    .apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.dropout({ rate: a.dropout }).apply(x) as tfTypes.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: NUM_CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }), name: 'logits' })
    .apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'garment_cnn' });
}

function buildReferenceSmall(init: () => ReturnType<typeof tf.initializers.heNormal>): tfTypes.LayersModel {
  const m = tf.sequential({ name: 'reference_small_cnn' });
  m.add(tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.dense({ units: NUM_CLASSES, kernelInitializer: init() }));
  return m;
}
