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

export class CnnTask implements TrainingTask {
  readonly kind = 'cnn' as const;
  readonly model: tfTypes.LayersModel;

  constructor(
    arch: Partial<CnnArch>,
    seed: number,
    model?: tfTypes.LayersModel,
    /** label smoothing of the cross-entropy (0: none) */
    private readonly labelSmoothing = 0,
  ) {
    this.model = model ?? buildCnn(arch, seed);
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
    const loss = tf.losses.softmaxCrossEntropy(
      tf.oneHot(labels, NUM_CLASSES),
      logits,
      undefined,
      this.labelSmoothing,
    ) as tfTypes.Scalar;
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
