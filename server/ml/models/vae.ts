/**
 * The conditional VAE: an encoder (image, class) -> (mean, log-variance) of a Gaussian latent, and
 * a decoder (latent, class) -> per-pixel Bernoulli logits. Both are functional LayersModels with a
 * one-hot class input, so each saves and loads in TensorFlow.js' standard format; the
 * reparameterization and the loss live in the training task, since tf.layers has no sampling layer.
 * Residual blocks sit at 14x14 and 7x7 (and, in the decoder, at 28x28 when it has a full-resolution
 * stage, `fullRes`); the decoder upsamples with stride-2 transposed convolutions
 * (kernel 4, so every output pixel sees the same number of taps: no checkerboard), which our wasm
 * Conv2DBackpropInput kernel runs as four small stride-1 convolutions.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserFacingError } from '../../errors';
import { tf } from '../backend';
import { IMAGE_SIZE } from '../../../lib/image';
import { NUM_CLASSES } from './cnn';
import { loadLayersModel, saveLayersModel } from './storage';
import { buildCritic, CRITIC_NAME } from './critic';

export const VaeArchSchema = z
  .object({
    latent: z.number().int().min(2).max(256).default(32),
    /** channels at 14x14 and at 7x7 */
    filters: z.tuple([z.number().int().min(1), z.number().int().min(1)]).default([32, 64]),
    dense: z.number().int().min(8).default(256),
    /** residual blocks per resolution stage (7x7 and 14x14) of the decoder, which draws the detail */
    resBlocks: z.number().int().min(0).max(4).default(1),
    /**
     * channels of a full-resolution (28x28) decoder stage; 0 = none: the last transposed convolution
     * draws the 28x28 logits directly from the 14x14 maps. A/B at beta 0.3, 3 epochs, n = 2,000:
     * with 32 channels test ELBO -250.65 vs -252.08, Fréchet distance 40.2 vs 43.0, recall 9.8 vs
     * 7.1 %, but judge accuracy 78.6 vs 80.7 %, at half the training speed (~300 vs ~600 img/s): a
     * small gain for its cost, so the committed model (models/vae) has none; the one before it had 32.
     */
    fullRes: z.number().int().min(0).max(64).default(0),
    /** residual blocks per resolution stage of the encoder */
    encoderResBlocks: z.number().int().min(0).max(4).default(1),
    /** weight of the KL term once warmed up (1 = the true ELBO) */
    beta: z.number().min(0).max(10).default(1),
    /**
     * epochs over which the KL weight rises linearly from klWarmupStart x beta to beta. Starting
     * from 0 for 2 epochs made the encoder put the class into the latent, and the decoder then
     * ignored its label input (measured: changing the label moved pixels 5x less than the latent).
     */
    klWarmupEpochs: z.number().min(0).max(100).default(0.25),
    klWarmupStart: z.number().min(0).max(1).default(0.5),
    /**
     * The prior the KL term pulls each posterior towards. standard: N(0, I) for every class. class:
     * N(mu_y, I) with a learned mean per class (the encoder's third output, `prior_mean`), so each
     * class gets its own region of the latent space and a sample drawn near mu_y decodes to class y
     * even where the decoder reads the class from the latent rather than from its label input.
     * Measured (15,000 images, 3 epochs, A/B): a 0.9 nats/image better test ELBO and no change in the
     * judge's accuracy on samples, which come from the per-class Gaussians fitted after training
     * (latent-prior.json) with either prior.
     */
    prior: z.enum(['standard', 'class']).default('class'),
    /**
     * weight of the perceptual loss (models/perceptual.ts) added to the reconstruction term during
     * training; 0 = none. The ELBO reported is always the plain one.
     */
    perceptualWeight: z.number().min(0).max(100).default(0),
    /** folder of the garment CNN whose features the perceptual loss matches (not the judge) */
    perceptualModel: z.string().min(1).optional(),
    /** how many of the feature CNN's conv stages are matched: 1-3 (28x28, 14x14, 7x7); 2 for logs written before the field existed */
    perceptualLayers: z.number().int().min(1).max(3).default(2),
    /**
     * weight of the adversarial term (models/critic.ts): a class-conditional critic, trained with the
     * VAE, tells training images from reconstructions and the decoder learns to fool it; 0 = none.
     */
    adversarialWeight: z.number().min(0).max(100).default(0),
    /** channels of the critic's stride-2 convolutions (28x28 -> 14x14 -> 7x7 ...), one entry per convolution */
    criticFilters: z.array(z.number().int().min(1).max(256)).min(1).max(3).default([16, 32]),
    /** units of the critic's dense layer, which sees the label */
    criticDense: z.number().int().min(1).max(1024).default(64),
  })
  .refine((a) => a.perceptualWeight === 0 || a.perceptualModel !== undefined, {
    message: 'a perceptual weight needs a perceptual model (--perceptual-model <dir>)',
    path: ['perceptualModel'],
  });
export type VaeArch = z.infer<typeof VaeArchSchema>;

export const ENCODER_NAME = 'vae_encoder';
export const DECODER_NAME = 'vae_decoder';

export interface Vae {
  encoder: tfTypes.LayersModel;
  decoder: tfTypes.LayersModel;
  /**
   * Both halves in one LayersModel (inputs image, label, latent; outputs mean, log-variance,
   * logits): the single model the training loop checkpoints and whose weights it optimizes.
   */
  combined: tfTypes.LayersModel;
  latent: number;
  /** the adversarial critic, trained with the VAE when the arch has an adversarial weight (in `combined`, not in a saved VAE folder) */
  critic?: tfTypes.LayersModel;
}

type Sym = tfTypes.SymbolicTensor;
type Initializer = ReturnType<typeof tf.initializers.heNormal>;

/** Seeded initializers: each call takes the next seed, so a build is reproducible. */
interface Inits {
  he(): Initializer;
  /** small weights for layers that should start near zero (residual branches, latent heads) */
  small(): Initializer;
  glorot(): Initializer;
}

function seededInits(seed: number): Inits {
  let s = seed * 1000;
  return {
    he: () => tf.initializers.heNormal({ seed: s++ }),
    small: () =>
      tf.initializers.varianceScaling({ scale: 0.1, mode: 'fanIn', distribution: 'truncatedNormal', seed: s++ }),
    glorot: () => tf.initializers.glorotUniform({ seed: s++ }),
  };
}

/**
 * A bottleneck residual block (1x1 down to half the channels, 3x3, 1x1 back up): a fifth of the
 * multiply-adds of two full 3x3 convolutions, which measured 2.5x slower training steps here.
 */
function residualBlock(x: Sym, channels: number, init: Inits, name: string): Sym {
  const inner = Math.max(8, channels >> 1);
  let h = tf.layers
    .conv2d({ filters: inner, kernelSize: 1, activation: 'relu', kernelInitializer: init.he(), name: `${name}_reduce` })
    .apply(x) as Sym;
  h = tf.layers
    .conv2d({
      filters: inner,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.he(),
      name: `${name}_conv`,
    })
    .apply(h) as Sym;
  // The last conv starts near zero so each block begins close to the identity: the stack trains
  // from the first step without normalization layers.
  h = tf.layers
    .conv2d({ filters: channels, kernelSize: 1, kernelInitializer: init.small(), name: `${name}_expand` })
    .apply(h) as Sym;
  const sum = tf.layers.add({ name: `${name}_add` }).apply([x, h]) as Sym;
  return tf.layers.reLU({ name: `${name}_relu` }).apply(sum) as Sym;
}

/**
 * Adds a learned per-class map (a dense layer from the one-hot label, zero at the start) to a
 * feature map: the decoder gets class-specific templates at every resolution for free. Without
 * them it learned to read the class from the latent (the encoder put it there) and ignored the
 * label: samples did not follow the requested class.
 */
function addLabelMap(x: Sym, label: Sym, shape: [number, number, number], name: string): Sym {
  let map = tf.layers
    .dense({ units: shape[0] * shape[1] * shape[2], kernelInitializer: 'zeros', useBias: false, name })
    .apply(label) as Sym;
  map = tf.layers.reshape({ targetShape: shape }).apply(map) as Sym;
  return tf.layers.add({ name: `${name}_add` }).apply([x, map]) as Sym;
}

/** Doubles the resolution: a stride-2 transposed convolution with kernel 4 (see the file comment). */
function upsample(x: Sym, filters: number, kernelInitializer: Initializer, name: string, activation?: 'relu'): Sym {
  return tf.layers
    .conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', activation, kernelInitializer, name })
    .apply(x) as Sym;
}

function buildEncoder(a: VaeArch, init: Inits): tfTypes.LayersModel {
  const image = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const label = tf.input({ shape: [NUM_CLASSES], name: 'label' });
  // The class joins at the dense layer: a label map beside the image (conditioning the convolutions
  // too) cost ~4 % of the step time in Concat/SplitV on 28x28 maps, measured with tf.profile.
  let x: Sym = image;
  const [f14, f7] = a.filters;
  x = tf.layers
    .conv2d({
      filters: f14,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.he(),
      name: 'enc_down14',
    })
    .apply(x) as Sym;
  for (let i = 0; i < a.encoderResBlocks; i++) x = residualBlock(x, f14, init, `enc_res14_${i}`);
  x = tf.layers
    .conv2d({
      filters: f7,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.he(),
      name: 'enc_down7',
    })
    .apply(x) as Sym;
  for (let i = 0; i < a.encoderResBlocks; i++) x = residualBlock(x, f7, init, `enc_res7_${i}`);
  x = tf.layers.flatten().apply(x) as Sym;
  x = tf.layers.concatenate({ name: 'enc_with_label' }).apply([x, label]) as Sym;
  x = tf.layers
    .dense({ units: a.dense, activation: 'relu', kernelInitializer: init.he(), name: 'enc_dense' })
    .apply(x) as Sym;
  const mean = tf.layers.dense({ units: a.latent, kernelInitializer: init.small(), name: 'z_mean' }).apply(x) as Sym;
  const logVar = tf.layers
    .dense({ units: a.latent, kernelInitializer: init.small(), name: 'z_log_var' })
    .apply(x) as Sym;
  if (a.prior === 'standard') return tf.model({ inputs: [image, label], outputs: [mean, logVar], name: ENCODER_NAME });
  // The learned prior means start at zero (N(0, I) for every class) and move apart as training
  // finds what separates the classes.
  const priorMean = tf.layers
    .dense({ units: a.latent, kernelInitializer: 'zeros', useBias: false, name: 'prior_mean' })
    .apply(label) as Sym;
  return tf.model({ inputs: [image, label], outputs: [mean, logVar, priorMean], name: ENCODER_NAME });
}

function buildDecoder(a: VaeArch, init: Inits): tfTypes.LayersModel {
  const z = tf.input({ shape: [a.latent], name: 'latent' });
  const label = tf.input({ shape: [NUM_CLASSES], name: 'label' });
  const [f14, f7] = a.filters;
  let x = tf.layers.concatenate({ name: 'dec_input' }).apply([z, label]) as Sym;
  x = tf.layers
    .dense({ units: a.dense, activation: 'relu', kernelInitializer: init.he(), name: 'dec_dense' })
    .apply(x) as Sym;
  // The class enters a second time, right before the spatial layers: a decoder that sees it only
  // beside the latent learned to read the class from the latent and ignore the label.
  x = tf.layers.concatenate({ name: 'dec_with_label' }).apply([x, label]) as Sym;
  x = tf.layers
    .dense({ units: 7 * 7 * f7, activation: 'relu', kernelInitializer: init.he(), name: 'dec_dense7' })
    .apply(x) as Sym;
  x = tf.layers.reshape({ targetShape: [7, 7, f7] }).apply(x) as Sym;
  x = addLabelMap(x, label, [7, 7, f7], 'dec_label7');
  for (let i = 0; i < a.resBlocks; i++) x = residualBlock(x, f7, init, `dec_res7_${i}`);
  x = upsample(x, f14, init.he(), 'dec_up14', 'relu');
  x = addLabelMap(x, label, [14, 14, f14], 'dec_label14');
  for (let i = 0; i < a.resBlocks; i++) x = residualBlock(x, f14, init, `dec_res14_${i}`);
  let logits: Sym;
  if (a.fullRes > 0) {
    // A stage at full resolution: edges, seams and buttons are drawn where they are, instead of
    // each 2x2 output block being one transposed-convolution tap of a 14x14 map.
    x = upsample(x, a.fullRes, init.he(), 'dec_up28', 'relu');
    for (let i = 0; i < a.resBlocks; i++) x = residualBlock(x, a.fullRes, init, `dec_res28_${i}`);
    logits = tf.layers
      .conv2d({ filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: init.glorot(), name: 'dec_logits' })
      .apply(x) as Sym;
  } else {
    logits = upsample(x, 1, init.glorot(), 'dec_logits');
  }
  logits = addLabelMap(logits, label, [IMAGE_SIZE, IMAGE_SIZE, 1], 'dec_label_out');
  return tf.model({ inputs: [z, label], outputs: logits, name: DECODER_NAME });
}

/** Joins an encoder, a decoder (and a critic) into the one model the training loop optimizes and checkpoints. */
export function combineVae(
  encoder: tfTypes.LayersModel,
  decoder: tfTypes.LayersModel,
  critic?: tfTypes.LayersModel,
): Vae {
  const latent = decoderLatentSize(decoder);
  const image = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const label = tf.input({ shape: [NUM_CLASSES], name: 'label' });
  const z = tf.input({ shape: [latent], name: 'latent' });
  const [mean, logVar, priorMean] = encoder.apply([image, label]) as Sym[];
  const logits = decoder.apply([z, label]) as Sym;
  // A learned class prior is an output too, so its weights are among those the loop optimizes.
  const outputs = [mean!, logVar!, logits, ...(priorMean ? [priorMean] : [])];
  // So is the critic's score of the image input: its weights are checkpointed and resumed with the VAE's.
  if (critic) outputs.push(critic.apply([image, label]) as Sym);
  const combined = tf.model({ inputs: [image, label, z], outputs, name: 'conditional_vae' });
  return { encoder, decoder, combined, latent, ...(critic ? { critic } : {}) };
}

/** Builds a fresh VAE; `seed` makes the initial weights reproducible. */
export function buildVae(arch: Partial<VaeArch> = {}, seed = 1): Vae {
  const a = VaeArchSchema.parse(arch);
  const init = seededInits(seed);
  return combineVae(
    buildEncoder(a, init),
    buildDecoder(a, init),
    a.adversarialWeight > 0 ? buildCritic(seed, a.criticFilters, a.criticDense) : undefined,
  );
}

/** Whether two models hold weights of the same shapes in the same order (the same --latent, --full-res, --res-blocks). */
export function sameWeightShapes(a: tfTypes.LayersModel, b: tfTypes.LayersModel): boolean {
  const wa = a.getWeights();
  const wb = b.getWeights();
  return wa.length === wb.length && wa.every((w, i) => w.shape.join('x') === wb[i]!.shape.join('x'));
}

/**
 * Weight averaging, a "model soup" (Wortsman et al. 2022): sets the first VAE's encoder and decoder
 * weights to the element-wise mean of all the given VAEs' and returns it. Meant for VAEs fine-tuned
 * from one model, which stay in one basin of the loss (runs from different starts would average to
 * noise); the mean of such runs beats each of them (see README, train:vae --average). `names` label
 * the VAEs in the error a different architecture gets.
 */
export function averageVaes(vaes: readonly Vae[], names: readonly string[] = vaes.map((_, i) => `VAE ${i + 1}`)): Vae {
  const [first, ...rest] = vaes;
  if (!first || rest.length === 0) throw new Error('averageVaes needs at least two VAEs');
  const parts = ['encoder', 'decoder'] as const;
  // Every shape is checked before any weight changes: a refusal leaves the first VAE as it was.
  for (const part of parts) {
    rest.forEach((v, i) => {
      if (!sameWeightShapes(first[part], v[part])) {
        throw new UserFacingError(
          `${names[i + 1]} has a different ${part} from ${names[0]}: only VAEs of one architecture (fine-tuned from one model) can be averaged.`,
        );
      }
    });
  }
  for (const part of parts) {
    const all = vaes.map((v) => v[part].getWeights());
    const mean = all[0]!.map((_, i) => tf.tidy(() => tf.div(tf.addN(all.map((w) => w[i]!)), vaes.length)));
    first[part].setWeights(mean);
    tf.dispose(mean);
  }
  return first;
}

/** The encoder and decoder inside a combined model (as saved by a training checkpoint). */
export function splitCombined(combined: tfTypes.LayersModel): Vae {
  const find = (name: string): tfTypes.LayersModel | undefined => {
    const layer = combined.layers.find((l) => l.name === name || l.name.startsWith(`${name}_`));
    return layer && 'predict' in layer ? (layer as unknown as tfTypes.LayersModel) : undefined;
  };
  const encoder = find(ENCODER_NAME);
  const decoder = find(DECODER_NAME);
  if (!encoder || !decoder) throw new Error(`model ${combined.name} has no ${ENCODER_NAME}/${DECODER_NAME} inside`);
  const critic = find(CRITIC_NAME);
  return { encoder, decoder, combined, latent: decoderLatentSize(decoder), ...(critic ? { critic } : {}) };
}

/** A decoder's latent size, checking that it has the VAE decoder's inputs and output. */
export function decoderLatentSize(decoder: tfTypes.LayersModel): number {
  const shapes = decoder.inputs.map((i) => i.shape);
  const out = decoder.outputs[0]?.shape;
  const ok =
    shapes.length === 2 &&
    shapes[1]?.[1] === NUM_CLASSES &&
    shapes[0]?.length === 2 &&
    out?.slice(1).join(',') === `${IMAGE_SIZE},${IMAGE_SIZE},1`;
  if (!ok)
    throw new Error(`model ${decoder.name} does not have a VAE decoder's inputs (latent, label) and 28x28x1 output`);
  return shapes[0]![1]!;
}

/**
 * Writes a VAE folder: encoder/ and decoder/ (each a standard layers model), the layout generation
 * and the browser load (the decoder alone is all sampling needs).
 */
export async function saveVae(vae: Vae, dir: string): Promise<void> {
  await saveLayersModel(vae.encoder, path.join(dir, 'encoder'));
  await saveLayersModel(vae.decoder, path.join(dir, 'decoder'));
}

/**
 * Turns the combined model.json + weights.bin that the training loop saves into encoder/ and
 * decoder/, and removes the combined files (they hold the same weights twice over).
 */
export async function splitVaeFolder(dir: string): Promise<Vae> {
  const vae = splitCombined(await loadLayersModel(dir));
  await saveVae(vae, dir);
  await rm(path.join(dir, 'model.json'), { force: true });
  await rm(path.join(dir, 'weights.bin'), { force: true });
  return vae;
}

/**
 * Loads a VAE folder (encoder/ + decoder/, or a combined model.json as a training run leaves it);
 * a missing folder or a model of another kind is a UserFacingError saying so.
 */
export async function loadVae(dir: string): Promise<Vae> {
  if (existsSync(path.join(dir, 'decoder', 'model.json'))) {
    const decoder = await loadLayersModel(path.join(dir, 'decoder'));
    try {
      decoderLatentSize(decoder);
    } catch {
      throw new UserFacingError(
        `${dir}/decoder is not a conditional VAE decoder: pass a folder written by npm run train:vae.`,
      );
    }
    return combineVae(await loadLayersModel(path.join(dir, 'encoder')), decoder);
  }
  if (!existsSync(path.join(dir, 'model.json'))) {
    throw new UserFacingError(
      `No VAE at ${dir} (no decoder/model.json): train one with npm run train:vae or pass the folder of a trained VAE.`,
    );
  }
  const model = await loadLayersModel(dir);
  try {
    return splitCombined(model);
  } catch {
    const kind =
      model.outputs.length === 1 && model.outputs[0]?.shape.join(',') === `,${NUM_CLASSES}`
        ? 'a garment classifier (CNN)'
        : `model "${model.name}"`;
    throw new UserFacingError(`${dir} holds ${kind}, not a conditional VAE: pass a VAE folder such as models/vae.`);
  }
}
