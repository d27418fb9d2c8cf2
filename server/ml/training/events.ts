/**
 * The events a training run emits, in order. The CLI turns them into a progress bar; the live
 * sessions broadcast them; the training log is built from them.
 */
import type { EpochEvaluation } from './task';

export interface EpochRecord {
  epoch: number;
  seconds: number;
  imagesPerSec: number;
  lr: number;
  trainLoss: number;
  trainAccuracy?: number;
  evaluation: EpochEvaluation;
}

export interface TrainingLog {
  kind: 'cnn' | 'vae';
  command: string;
  config: Record<string, unknown>;
  seed: number;
  backend: string;
  replicas: number;
  architecture: Record<string, unknown>;
  trainImages: number;
  testImages: number;
  startedAt: string;
  finishedAt?: string;
  /** training seconds, summed over resumed parts, excluding evaluation */
  trainSeconds: number;
  epochs: EpochRecord[];
  /** each time an interrupted run was resumed: after which epoch, with which command and config */
  resumes?: { afterEpoch: number; command: string; at: string; config: Record<string, unknown> }[];
  host: { cpus: number; node: string; platform: string };
  /** with --validation: the held-out images every choice is made on */
  validationImages?: number;
  validationSplit?: string;
  /** with a weight average or a validation set: which weights were best on validation, and when */
  selection?: SelectionSummary;
}

export interface SelectionSummary {
  /** decay per step of the weight average (0: none) */
  ema: number;
  /** what the choice is made on: the classifier's validation accuracy, the VAE's validation ELBO or Fréchet ratio */
  chosenOn:
    | 'validation accuracy'
    | 'validation ELBO'
    | 'validation reconstruction Fréchet ratio'
    | 'none (no validation set: the last epoch is saved)';
  /** the best so far: which weights, after which epoch (0-based), with their figures */
  best?: {
    weights: 'trained' | 'average';
    epoch: number;
    validationAccuracy?: number;
    testAccuracy?: number;
    drawingAccuracy?: number;
    /** the VAE's: nats/image, higher is better */
    validationElbo?: number;
    testElbo?: number;
    /** the VAE's with a Fréchet judge: distance over the real-vs-real floor, lower is better */
    validationReconstructionRatio?: number;
    validationSampleRatio?: number;
  };
}

export type TrainingEvent =
  | {
      type: 'started';
      backend: string;
      replicas: number;
      /** the trained model's parameters, as saved */
      params: number;
      /** parameters trained alongside that the saved model leaves out (the VAE's critic) */
      auxiliaryParams?: number;
      epochs: number;
      startEpoch: number;
      stepsPerEpoch: number;
      trainImages: number;
      testImages: number;
    }
  | {
      type: 'batch';
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      loss: number;
      accuracy?: number;
      imagesPerSec: number;
      lr: number;
    }
  | ({ type: 'epoch' } & EpochRecord)
  | { type: 'checkpoint'; epoch: number; dir: string }
  /** The task's snapshot after epoch `epoch` (0-based) is complete in `dir` (sent before that epoch's event). */
  | { type: 'snapshot'; epoch: number; dir: string }
  | { type: 'paused'; epoch: number; step: number }
  | { type: 'resumed'; epoch: number; step: number }
  | { type: 'finished'; reason: 'completed' | 'stopped'; log: TrainingLog; outDir?: string }
  | { type: 'failed'; message: string };
