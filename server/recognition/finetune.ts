/**
 * Fine-tuning the recognizer on the drawings people confirmed, together with the original data so
 * it keeps its photo accuracy: each batch mixes confirmed drawings, Fashion-MNIST photos and
 * synthetic drawings of those photos (sketchify), shifted and mirrored a little. Runs on the
 * calling thread (the CLI's); the server keeps serving the model it loaded until the new one is
 * written to its folder.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../ml/backend';
import type { DatasetSplit } from '../ml/data/fashionMnist';
import { mulberry32 } from '../ml/data/random';
import { sketchify } from '../ml/sketch/sketchify';
import { augmentBatch } from '../ml/training/augment';
import { CnnTask } from '../ml/training/cnnTask';
import { IMAGE_PIXELS, imageAt } from '../../lib/image';

export interface LabelledImages {
  /** count x 784 floats in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface FineTuneOptions {
  steps: number;
  batchSize: number;
  lr: number;
  /** Share of each batch taken from the confirmed drawings. */
  drawingShare: number;
  /** Share of the original images that are drawn as sketches instead of shown as photos. */
  sketchShare: number;
  seed: number;
  onStep?: (step: number, loss: number) => void;
}

/** Trains `model` in place; returns the mean loss of the first and last tenth of the steps. */
export function fineTune(
  model: tfTypes.LayersModel,
  drawings: LabelledImages,
  original: DatasetSplit,
  o: FineTuneOptions,
): { firstLoss: number; lastLoss: number } {
  if (drawings.count === 0) throw new RangeError('fine-tuning needs at least one drawing');
  const task = new CnnTask({}, o.seed, model);
  const variables = task.variables();
  const optimizer = tf.train.adam(o.lr);
  const rand = mulberry32(o.seed);
  const raw = new Float32Array(o.batchSize * IMAGE_PIXELS);
  const images = new Float32Array(o.batchSize * IMAGE_PIXELS);
  const labels = new Uint8Array(o.batchSize);
  const losses: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    for (let i = 0; i < o.batchSize; i++) {
      const dst = imageAt(raw, i);
      if (rand() < o.drawingShare) {
        const j = Math.floor(rand() * drawings.count);
        dst.set(imageAt(drawings.images, j));
        labels[i] = drawings.labels[j]!;
      } else {
        const j = Math.floor(rand() * original.count);
        const photo = imageAt(original.images, j);
        if (rand() < o.sketchShare) dst.set(sketchify(photo, rand));
        else for (let p = 0; p < IMAGE_PIXELS; p++) dst[p] = photo[p]! / 255;
        labels[i] = original.labels[j]!;
      }
    }
    augmentBatch(raw, images, o.batchSize, rand, { maxShift: 2, flip: true });
    const { value, grads } = tf.variableGrads(() => task.step({ images, labels, size: o.batchSize }).loss, variables);
    optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
    const loss = value.dataSync()[0]!;
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step + 1}: lower the learning rate`);
    losses.push(loss);
    o.onStep?.(step, loss);
  }
  optimizer.dispose();
  const tenth = Math.max(1, Math.floor(losses.length / 10));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return { firstLoss: mean(losses.slice(0, tenth)), lastLoss: mean(losses.slice(-tenth)) };
}

/** Whether a saved drawing is held out of fine-tuning to measure it (every fifth, by id: stable as drawings are added). */
export const isHeldOut = (id: number): boolean => id % 5 === 0;
