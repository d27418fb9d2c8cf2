/**
 * The garment classifier: a compact VGG-style CNN with batch normalization. Three conv stages
 * (28->14->7->3) keep the compute per image near 8 M multiply-adds, so it trains at a useful speed
 * on two CPU cores, while the dense head gives it the capacity that 93-94 % needs. The dropout
 * layers take no seed (a seeded tfjs dropout layer draws the same mask at every step): their masks
 * come from Math.random, which a training worker seeds per epoch (training/replica.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { IMAGE_SIZE } from '../../../lib/image';
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
  /**
   * 3x3 convolutions (each with batch norm and ReLU) per stage before its pooling, e.g. [1, 2, 2]:
   * a stage's later convolutions keep its filter count. [1, 1, 1] is the original network.
   */
  convs: z
    .tuple([z.number().int().min(1).max(4), z.number().int().min(1).max(4), z.number().int().min(1).max(4)])
    .default([1, 1, 1]),
});
export type CnnArch = z.infer<typeof CnnArchSchema>;

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
    for (let k = 0; k < a.convs[i]!; k++) {
      // conv1, bn1 for a stage's first convolution (the names of the original network), conv1b, bn1b, ... after it
      const suffix = k === 0 ? '' : String.fromCharCode(97 + k);
      x = tf.layers
        .conv2d({
          filters: f,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: init(),
          name: `conv${i + 1}${suffix}`,
        })
        .apply(x) as tfTypes.SymbolicTensor;
      x = tf.layers.batchNormalization({ name: `bn${i + 1}${suffix}` }).apply(x) as tfTypes.SymbolicTensor;
      x = tf.layers.reLU().apply(x) as tfTypes.SymbolicTensor;
    }
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
  m.add(
    tf.layers.conv2d({
      inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
      filters: 32,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: init(),
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
  m.add(tf.layers.dense({ units: NUM_CLASSES, kernelInitializer: init() }));
  return m;
}

const MIRROR_LAYER = 'mirror';

/** Whether a classifier was written by withMirrorAveraging (train:cnn --mirror-average). */
export function averagesMirror(model: tfTypes.LayersModel): boolean {
  return model.layers.some((l) => l.name === MIRROR_LAYER);
}

/**
 * The same trained classifier answering for an image and its mirror image at once (test-time
 * averaging over the horizontal flip the training augmentation already uses): both pass through
 * copies of the trained layers, the penultimate activations of the two are averaged in a layer
 * named 'features' (what the judge reads), and the logits come from that average, which equals
 * averaging the two logit vectors. Twice the compute per image; the mirror is a fixed 28x28
 * anti-identity (784 non-trainable weights), so the result is one ordinary LayersModel that
 * loads, serves and evaluates like any other.
 */
export function withMirrorAveraging(base: tfTypes.LayersModel): tfTypes.LayersModel {
  if (averagesMirror(base)) throw new RangeError(`${base.name} already averages over mirror images`);
  const chain = base.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const featuresAt = chain.findIndex((l) => l.name === 'features');
  if (featuresAt < 0 || chain.at(-1)?.name !== 'logits' || featuresAt !== chain.length - 3) {
    throw new RangeError(
      `${base.name} is not a garment classifier from buildCnn (features -> dropout -> logits at the end)`,
    );
  }
  const copy = (layer: tfTypes.layers.Layer, name = layer.name): tfTypes.layers.Layer => {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
    if (!entry) throw new RangeError(`layer class ${layer.getClassName()} is not registered`);
    const [cls, fromConfig] = entry;
    return fromConfig(cls, { ...layer.getConfig(), name }) as unknown as tfTypes.layers.Layer;
  };
  const body = chain.slice(0, featuresAt).map((l) => [l, copy(l)] as const);
  const penultimate = [chain[featuresAt]!, copy(chain[featuresAt]!, 'penultimate')] as const;
  const logits = [chain.at(-1)!, copy(chain.at(-1)!)] as const;

  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const antiIdentity = tf.tidy(() => tf.reverse(tf.eye(IMAGE_SIZE), 1));
  const mirrorLayer = tf.layers.dense({
    units: IMAGE_SIZE,
    useBias: false,
    trainable: false,
    name: MIRROR_LAYER,
    weights: [antiIdentity],
  });
  const rows = tf.layers.reshape({ targetShape: [IMAGE_SIZE, IMAGE_SIZE] }).apply(input) as tfTypes.SymbolicTensor;
  const mirrored = tf.layers
    .reshape({ targetShape: [IMAGE_SIZE, IMAGE_SIZE, 1] })
    .apply(mirrorLayer.apply(rows) as tfTypes.SymbolicTensor) as tfTypes.SymbolicTensor;
  let a: tfTypes.SymbolicTensor = input;
  let b: tfTypes.SymbolicTensor = mirrored;
  for (const [, layer] of body) {
    a = layer.apply(a) as tfTypes.SymbolicTensor;
    b = layer.apply(b) as tfTypes.SymbolicTensor;
  }
  const fa = penultimate[1].apply(a) as tfTypes.SymbolicTensor;
  const fb = penultimate[1].apply(b) as tfTypes.SymbolicTensor;
  const features = tf.layers.average({ name: 'features' }).apply([fa, fb]) as tfTypes.SymbolicTensor;
  const out = logits[1].apply(features) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: `${base.name}_mirror_avg` });
  // The copies were built by applying them; now they take the trained weights.
  for (const [from, to] of [...body, penultimate, logits]) to.setWeights(from.getWeights());
  antiIdentity.dispose();
  return model;
}

/**
 * The network inside a model from withMirrorAveraging, answering for the image alone (no mirror,
 * no averaging): the same trained layers (shared, not copied) applied once. What the classifier
 * scores without test-time augmentation.
 */
export function withoutMirrorAveraging(model: tfTypes.LayersModel): tfTypes.LayersModel {
  if (!averagesMirror(model)) throw new RangeError(`${model.name} does not average over mirror images`);
  const skipped = new Set(['InputLayer', 'Reshape', 'Average']);
  const chain = model.layers.filter((l) => !skipped.has(l.getClassName()) && l.name !== MIRROR_LAYER);
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  let x: tfTypes.SymbolicTensor = input;
  for (const layer of chain) x = layer.apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: model.name.replace(/_mirror_avg$/, '') });
}
