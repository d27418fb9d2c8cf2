/**
 * What the training loop needs from a model kind. The loop (replica.ts) owns batching, gradient
 * averaging, control, checkpoints and events; a task owns the network, its loss and what an epoch's
 * evaluation shows. The CNN is one task; the conditional VAE is another.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { DatasetSplit } from '../data/fashionMnist';

export interface Batch {
  /** size x 784 floats in [0, 1] */
  images: Float32Array;
  labels: Uint8Array;
  size: number;
}

export interface StepContext {
  epoch: number;
  /** step within the epoch */
  step: number;
  stepsPerEpoch: number;
}

export interface StepResult {
  /** mean loss of the batch: what the gradients are taken of */
  loss: tfTypes.Scalar;
  /** summed figure of merit of the batch (correct predictions for a classifier), if any */
  correct?: tfTypes.Scalar;
}

/** JSON-serializable figures of an epoch, streamed to viewers and written to the training log. */
export type EpochEvaluation = Record<string, unknown> & { headline: number; headlineName: string };

/** Further labelled sets an epoch evaluation may score (e.g. drawings made from test images). */
export interface EvaluationSets {
  drawings?: DatasetSplit;
  /** held-out training images: when given, they are the headline (what choices are made on) */
  validation?: DatasetSplit;
  /**
   * Training images the VAE's per-class latent prior is fitted on each epoch (its sample grid, the
   * validation sample Fréchet figure, the snapshot a vote samples from): never the images it is
   * scored on, nor test images.
   */
  priorFit?: DatasetSplit;
}

/** How many training images (a seeded subset) the per-epoch latent prior is fitted on. */
export const PRIOR_FIT_COUNT = 5000;

export interface TrainingTask {
  readonly kind: 'cnn' | 'vae';
  readonly model: tfTypes.LayersModel;
  /** Trainable variables, always in the same order (the optimizer's state is matched by position). */
  variables(): tfTypes.Variable[];
  /** Non-trainable state worth averaging across replicas at epoch ends (batch-norm statistics). */
  stateVariables(): tfTypes.LayerVariable[];
  /** Called inside tf.variableGrads. */
  step(batch: Batch, ctx: StepContext): StepResult;
  evaluate(test: DatasetSplit, epoch: number, extra?: EvaluationSets): Promise<EpochEvaluation>;
  /** Architecture figures for the log. */
  describe(): Record<string, unknown>;
  /** Trainable parameters among variables() that the saved model leaves out (the VAE's critic); 0 when none. */
  auxiliaryParams(): number;
  /**
   * Optional: writes what generation needs from the current weights to `dir` (the VAE: encoder,
   * decoder and the latent prior fitted in the last evaluation), after that evaluation.
   */
  snapshot?(dir: string): Promise<void>;
}
