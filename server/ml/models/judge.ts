/**
 * The judge: the committed garment classifier used to score generated images. One forward pass
 * gives both its class probabilities and its penultimate ('features') activations, the space in
 * which the Fréchet distance, precision/recall and diversity are measured.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { UserFacingError } from '../../errors';
import { tf } from '../backend';
import { NUM_CLASSES } from './cnn';
import { loadLayersModel } from './storage';
import { imagesToTensor } from './classifier';
import { IMAGE_PIXELS } from '../../../lib/image';

export interface Judge {
  /** outputs [features, logits] */
  readonly model: tfTypes.LayersModel;
  readonly featureSize: number;
  readonly dir: string;
}

export interface Judgement {
  /** count x 10 softmax probabilities */
  probs: Float32Array;
  /** count x featureSize */
  features: Float32Array;
  count: number;
}

/** Wraps a trained classifier; it must have a dense layer named 'features' (see buildCnn). */
export function judgeFromClassifier(classifier: tfTypes.LayersModel, dir = '(in memory)'): Judge {
  const out = classifier.outputs[0]?.shape;
  if (
    classifier.inputs.length !== 1 ||
    classifier.inputs[0]?.shape.join(',') !== ',28,28,1' ||
    out?.join(',') !== `,${NUM_CLASSES}`
  ) {
    throw new UserFacingError(
      `${dir} is not a garment classifier (input ${classifier.inputs[0]?.shape}, output ${out}): pass the CNN folder, e.g. models/cnn.`,
    );
  }
  let features: tfTypes.SymbolicTensor;
  try {
    features = classifier.getLayer('features').output as tfTypes.SymbolicTensor;
  } catch {
    throw new UserFacingError(
      `The classifier in ${dir} has no layer named 'features': train it with npm run train:cnn.`,
    );
  }
  const model = tf.model({ inputs: classifier.inputs, outputs: [features, classifier.outputs[0]!] });
  return { model, featureSize: features.shape[1]!, dir };
}

export async function loadJudge(dir: string): Promise<Judge> {
  return judgeFromClassifier(await loadLayersModel(dir), dir);
}

/** Probabilities and features of images (784 floats in [0, 1] or bytes each). */
export function judgeImages(judge: Judge, images: Float32Array | Uint8Array, batchSize = 500): Judgement {
  const count = images.length / IMAGE_PIXELS;
  const probs = new Float32Array(count * NUM_CLASSES);
  const features = new Float32Array(count * judge.featureSize);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const [f, p] = tf.tidy(() => {
      const [feat, logits] = judge.model.predict(imagesToTensor(images, start, size)) as tfTypes.Tensor[];
      return [feat!, tf.softmax(logits!)];
    });
    features.set(f!.dataSync() as Float32Array, start * judge.featureSize);
    probs.set(p!.dataSync() as Float32Array, start * NUM_CLASSES);
    tf.dispose([f!, p!]);
  }
  return { probs, features, count };
}

/** The judge's probability of class `labels[i]` for each image. */
export function confidenceOf(j: Judgement, labels: ArrayLike<number>): Float32Array {
  const out = new Float32Array(j.count);
  for (let i = 0; i < j.count; i++) out[i] = j.probs[i * NUM_CLASSES + labels[i]!]!;
  return out;
}

/** The judge's predicted class of each image. */
export function predictedClasses(j: Judgement): Uint8Array {
  const out = new Uint8Array(j.count);
  for (let i = 0; i < j.count; i++) {
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++)
      if (j.probs[i * NUM_CLASSES + c]! > j.probs[i * NUM_CLASSES + best]!) best = c;
    out[i] = best;
  }
  return out;
}
