/**
 * The garment classifier as a training task: softmax cross-entropy on the CNN's logits, and an
 * epoch evaluation with test accuracy, confusion matrix and predictions on a fixed probe set.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { buildCnn, NUM_CLASSES, type CnnArch } from '../models/cnn';
import { countParams } from '../models/storage';
import { evaluateClassifier, imagesToTensor, predictProbabilities } from '../models/classifier';
import type { DatasetSplit } from '../data/fashionMnist';
import type { Batch, EpochEvaluation, EvaluationSets, StepResult, TrainingTask } from './task';
import { imagesFrom } from '../../../lib/image';

/** The first test images: the same probe set every epoch, so viewers can watch guesses change. */
export const PROBE_COUNT = 16;

/** Knowledge distillation: what the network also learns from (see distilled). */
export interface Distillation {
  /** classifiers answering for the same (augmented) images; their softened answers are averaged */
  teachers: tfTypes.LayersModel[];
  /** share of the loss that is the teachers' (0-1) */
  weight: number;
  /** softmax temperature of both sides */
  temperature: number;
}

export interface CnnLoss {
  /** label smoothing of the cross-entropy (0: none) */
  labelSmoothing?: number;
  distillation?: Distillation;
}

/**
 * (1 - w) * the label loss + w * T^2 * the Kullback-Leibler divergence from the teachers' mean
 * softened distribution to the network's softened one (Hinton et al. 2015; T^2 keeps the soft
 * term's gradients on the scale of the hard one's). The divergence is the cross-entropy minus the
 * teachers' entropy: the same gradient, but 0 where the network answers as the teachers do, so the
 * reported loss is not dominated by the entropy of a flat softened target. The teachers' answers
 * enter as constants: no gradient reaches the teachers.
 */
export function distilled(
  labelLoss: tfTypes.Scalar,
  logits: tfTypes.Tensor2D,
  images: tfTypes.Tensor,
  d: Distillation,
): tfTypes.Scalar {
  const t = d.temperature;
  const soft = tf.tidy(() => {
    const probs = d.teachers.map((m) => tf.softmax(tf.div(m.predict(images) as tfTypes.Tensor2D, t)));
    return tf.div(tf.addN(probs), d.teachers.length);
  });
  const target = tf.tensor2d(soft.dataSync(), soft.shape as [number, number]);
  soft.dispose();
  const logTarget = tf.tidy(() => tf.log(tf.maximum(target, 1e-12)));
  const softLoss = tf.mul(
    tf.mean(tf.sum(tf.mul(target, tf.sub(logTarget, tf.logSoftmax(tf.div(logits, t)))), 1)),
    t * t,
  ) as tfTypes.Scalar;
  return tf.add(tf.mul(labelLoss, 1 - d.weight), tf.mul(softLoss, d.weight)) as tfTypes.Scalar;
}

export class CnnTask implements TrainingTask {
  readonly kind = 'cnn' as const;
  readonly model: tfTypes.LayersModel;

  private readonly labelSmoothing: number;
  private readonly distillation?: Distillation;

  constructor(arch: Partial<CnnArch>, seed: number, model?: tfTypes.LayersModel, loss: CnnLoss = {}) {
    this.model = model ?? buildCnn(arch, seed);
    this.labelSmoothing = loss.labelSmoothing ?? 0;
    if (loss.distillation) {
      if (loss.distillation.teachers.length === 0) throw new Error('distillation needs at least one teacher');
      this.distillation = loss.distillation;
    }
  }

  variables(): tfTypes.Variable[] {
    return this.model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  }

  stateVariables(): tfTypes.LayerVariable[] {
    return this.model.nonTrainableWeights;
  }

  step(batch: Batch): StepResult {
    const x = tf.tensor4d(imagesFrom(batch.images, 0, batch.size), [batch.size, 28, 28, 1]);
    const labels = tf.tensor1d(batch.labels.subarray(0, batch.size), 'int32');
    const logits = this.model.apply(x, { training: true }) as tfTypes.Tensor2D;
    let loss = tf.losses.softmaxCrossEntropy(
      tf.oneHot(labels, NUM_CLASSES),
      logits,
      undefined,
      this.labelSmoothing,
    ) as tfTypes.Scalar;
    if (this.distillation) loss = distilled(loss, logits, x, this.distillation);
    const correct = tf.sum(tf.cast(tf.equal(logits.argMax(1), labels), 'float32')) as tfTypes.Scalar;
    return { loss, correct };
  }

  async evaluate(test: DatasetSplit, _epoch: number, extra: EvaluationSets = {}): Promise<EpochEvaluation> {
    const report = await evaluateClassifier(this.model, test.images, test.labels);
    const validation = extra.validation
      ? await evaluateClassifier(this.model, extra.validation.images, extra.validation.labels)
      : undefined;
    const drawings = extra.drawings
      ? await evaluateClassifier(this.model, extra.drawings.images, extra.drawings.labels)
      : undefined;
    const probeCount = Math.min(PROBE_COUNT, test.count);
    const probs = tf.tidy(() => predictProbabilities(this.model, imagesToTensor(test.images, 0, probeCount)));
    const rows = (await probs.array()) as number[][];
    probs.dispose();
    const probes = rows.map((p, i) => {
      const predicted = p.indexOf(Math.max(...p));
      return { index: i, label: test.labels[i]!, predicted, confidence: p[predicted]! };
    });
    return {
      ...(validation
        ? {
            headline: validation.accuracy,
            headlineName: 'validation accuracy',
            validationAccuracy: validation.accuracy,
            validationLoss: validation.loss,
            validationImages: validation.count,
          }
        : { headline: report.accuracy, headlineName: 'test accuracy' }),
      testAccuracy: report.accuracy,
      testLoss: report.loss,
      perClassAccuracy: report.perClassAccuracy,
      confusionMatrix: report.confusionMatrix,
      probes,
      ...(drawings ? { drawingAccuracy: drawings.accuracy, drawingImages: drawings.count } : {}),
    };
  }

  auxiliaryParams(): number {
    return 0;
  }

  describe(): Record<string, unknown> {
    return { params: countParams(this.model), layers: this.model.layers.length };
  }
}
