/**
 * How good a garment classifier is: accuracy, per-class accuracy and the confusion matrix over a
 * labelled set. Used by the epoch evaluation of training, by `npm run eval:cnn` and by the server.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { NUM_CLASSES } from './cnn';
import { imagesFrom } from '../../../lib/image';

export interface ClassifierReport {
  accuracy: number;
  loss: number;
  perClassAccuracy: number[];
  /** confusionMatrix[trueClass][predictedClass] = count */
  confusionMatrix: number[][];
  count: number;
}

/** Turns 784-byte images (0-255) or floats in [0, 1] into a [n,28,28,1] tensor in [0, 1]. */
export function imagesToTensor(images: Uint8Array | Float32Array, start: number, count: number): tfTypes.Tensor4D {
  const slice = imagesFrom(images, start, count);
  const floats = slice instanceof Float32Array ? slice : Float32Array.from(slice, (v) => v / 255);
  return tf.tensor4d(floats, [count, 28, 28, 1]);
}

/** Class probabilities (softmax of the logits) for a batch of images. */
export function predictProbabilities(model: tfTypes.LayersModel, x: tfTypes.Tensor4D): tfTypes.Tensor2D {
  return tf.tidy(() => tf.softmax(model.predict(x) as tfTypes.Tensor2D));
}

export async function evaluateClassifier(
  model: tfTypes.LayersModel,
  images: Uint8Array | Float32Array,
  labels: Uint8Array,
  batchSize = 500,
): Promise<ClassifierReport> {
  const n = labels.length;
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [pred, loss] = tf.tidy(() => {
      const x = imagesToTensor(images, start, size);
      const logits = model.predict(x) as tfTypes.Tensor2D;
      const y = tf.oneHot(tf.tensor1d(labels.subarray(start, start + size), 'int32'), NUM_CLASSES);
      return [logits.argMax(1), tf.losses.softmaxCrossEntropy(y, logits, undefined, 0, tf.Reduction.SUM)] as const;
    });
    const predicted = await pred.data();
    lossSum += (await loss.data())[0]!;
    pred.dispose();
    loss.dispose();
    for (let i = 0; i < size; i++) confusion[labels[start + i]!]![predicted[i]!]!++;
  }
  return classifierReport(confusion, lossSum);
}

/** The report of `confusion` ([true class][predicted class] counts) and the summed loss over its images. */
export function classifierReport(confusion: number[][], lossSum: number): ClassifierReport {
  const n = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  return {
    accuracy: confusion.reduce((s, row, c) => s + row[c]!, 0) / n,
    loss: lossSum / n,
    perClassAccuracy: confusion.map((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      return total === 0 ? 0 : row[c]! / total;
    }),
    confusionMatrix: confusion,
    count: n,
  };
}
