/**
 * Which weights a run saves. An exponential moving average of the weights (all of them, batch-norm
 * statistics included) is kept beside the trained ones when `ema` > 0 and scored every epoch; with
 * a validation set, the weights (trained or average, of any epoch) best on it are kept and are
 * what the run saves: the classifier's highest validation accuracy, the VAE's highest validation
 * ELBO (or, with train:vae --frechet-judge, its lowest validation reconstruction Fréchet ratio).
 * Lives in replica 0 only: every replica holds the
 * same weights. Checkpointed with the run (selection.json + selection.bin in the checkpoint folder)
 * so a resumed run continues the same average and remembers the best so far.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import type { SelectionSummary } from './events';
import type { EpochEvaluation } from './task';

type Best = NonNullable<SelectionSummary['best']>;

/**
 * What the choice is made on, higher is better: a classifier's validation accuracy; a VAE's
 * validation reconstruction Fréchet ratio (negated: lower is better) when it has one, else its
 * validation ELBO.
 */
function validationScore(e: Record<string, unknown>): number | undefined {
  if (typeof e.validationReconstructionRatio === 'number') return -e.validationReconstructionRatio;
  const v = e.validationAccuracy ?? e.validationElbo;
  return typeof v === 'number' ? v : undefined;
}

/** What a choice by these figures is made on. */
const chosenOnOf = (figures: Record<string, unknown>): SelectionSummary['chosenOn'] =>
  typeof figures.validationAccuracy === 'number'
    ? 'validation accuracy'
    : typeof figures.validationReconstructionRatio === 'number'
      ? 'validation reconstruction Fréchet ratio'
      : 'validation ELBO';

/** The figures of the chosen weights kept in the log's selection line. */
function bestFigures(e: EpochEvaluation): Omit<Best, 'weights' | 'epoch'> {
  const keys = [
    'validationAccuracy',
    'testAccuracy',
    'drawingAccuracy',
    'validationElbo',
    'testElbo',
    'validationReconstructionRatio',
    'validationSampleRatio',
  ] as const;
  return Object.fromEntries(keys.filter((k) => typeof e[k] === 'number').map((k) => [k, e[k]]));
}

interface SelectionState {
  steps: number;
  best?: Best;
  specs: tfTypes.io.WeightsManifestEntry[];
}

/** The figures of an evaluation worth keeping for the average's line in the log. */
function figures(e: EpochEvaluation): Record<string, unknown> {
  const keys = [
    'headline',
    'validationAccuracy',
    'validationLoss',
    'testAccuracy',
    'testLoss',
    'validationElbo',
    'testElbo',
    'validationReconstructionRatio',
    'validationSampleRatio',
    'drawingAccuracy',
    'perClassAccuracy',
  ];
  return Object.fromEntries(keys.filter((k) => e[k] !== undefined).map((k) => [k, e[k]]));
}

export class WeightSelection {
  private readonly weights: tfTypes.LayerVariable[];
  private average?: tfTypes.Tensor[];
  private steps = 0;
  private bestWeights?: tfTypes.Tensor[];
  private best?: Best;
  private chosenOn: SelectionSummary['chosenOn'] = 'none (no validation set: the last epoch is saved)';

  constructor(
    model: tfTypes.LayersModel,
    /** decay per step of the weight average; 0: no average */
    private readonly decay: number,
  ) {
    this.weights = model.weights;
  }

  /** After each optimizer step: average <- d * average + (1 - d) * weights, with a warm-up of d. */
  updateAverage(): void {
    if (this.decay <= 0) return;
    this.steps++;
    if (!this.average) {
      this.average = this.weights.map((w) => tf.keep(w.read().clone()));
      return;
    }
    // The usual warm-up (as TensorFlow's ExponentialMovingAverage with num_updates): early steps weigh more.
    const d = Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
    const next = tf.tidy(() =>
      this.weights.map((w, i) => tf.keep(tf.add(tf.mul(this.average![i]!, d), tf.mul(w.read(), 1 - d)))),
    );
    this.average.forEach((t) => t.dispose());
    this.average = next;
  }

  /**
   * Scores the average (when there is one) with `evaluate`, adds its figures to the epoch's
   * evaluation as `average`, and, with a validation set, remembers the best weights so far.
   */
  async afterEpoch(
    epoch: number,
    trained: EpochEvaluation,
    evaluate: () => Promise<EpochEvaluation>,
    hasValidation: boolean,
  ): Promise<EpochEvaluation> {
    let averaged: EpochEvaluation | undefined;
    if (this.average) {
      const kept = this.weights.map((w) => w.read().clone());
      this.write(this.average);
      try {
        averaged = await evaluate();
      } finally {
        this.write(kept);
        kept.forEach((t) => t.dispose());
      }
    }
    if (hasValidation) {
      const candidates: [Best['weights'], EpochEvaluation, () => tfTypes.Tensor[]][] = [
        ['trained', trained, () => this.weights.map((w) => w.read().clone())],
      ];
      if (averaged) candidates.push(['average', averaged, () => this.average!.map((t) => t.clone())]);
      for (const [weights, e, copy] of candidates) {
        const v = validationScore(e);
        if (v === undefined) throw new Error('a validation set was given but the evaluation has no validation figure');
        // >=: on a tie the later (further trained) weights win
        if (!this.best || v >= validationScore(this.best)!) {
          this.bestWeights?.forEach((t) => t.dispose());
          this.bestWeights = copy().map((t) => tf.keep(t));
          this.best = { weights, epoch, ...bestFigures(e) };
          this.chosenOn = chosenOnOf(e);
        }
      }
    }
    return averaged ? { ...trained, average: figures(averaged) } : trained;
  }

  summary(): SelectionSummary {
    return {
      ema: this.decay,
      chosenOn: this.chosenOn,
      ...(this.best ? { best: this.best } : {}),
    };
  }

  /** Puts the chosen weights into the model (before it is saved). */
  loadChosenInto(): void {
    if (this.bestWeights) this.write(this.bestWeights);
  }

  /** Writes the average and the best weights into a checkpoint's folder. */
  async save(folder: string): Promise<void> {
    const named = [
      ...(this.average ?? []).map((tensor, i) => ({ name: `average/${i}`, tensor })),
      ...(this.bestWeights ?? []).map((tensor, i) => ({ name: `best/${i}`, tensor })),
    ];
    const { data, specs } = await tf.io.encodeWeights(named);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'selection.bin'), Buffer.from(data as ArrayBuffer));
    const state: SelectionState = { steps: this.steps, ...(this.best ? { best: this.best } : {}), specs };
    await writeFile(path.join(folder, 'selection.json'), JSON.stringify(state));
  }

  /** Continues from a checkpoint's saved average and best weights (when the checkpoint has them). */
  async restore(folder: string, logged?: SelectionSummary): Promise<void> {
    let state: SelectionState;
    try {
      state = JSON.parse(await readFile(path.join(folder, 'selection.json'), 'utf8')) as SelectionState;
    } catch {
      return;
    }
    const bin = await readFile(path.join(folder, 'selection.bin'));
    const named = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), state.specs);
    const take = (prefix: string) => {
      const list = this.weights.map((_, i) => named[`${prefix}/${i}`]);
      return list.every((t) => t !== undefined) ? (list as tfTypes.Tensor[]) : undefined;
    };
    this.steps = state.steps;
    this.average = this.decay > 0 ? take('average') : undefined;
    this.bestWeights = take('best');
    this.best = this.bestWeights ? (state.best ?? logged?.best) : undefined;
    if (this.best) this.chosenOn = chosenOnOf(this.best);
  }

  private write(tensors: tfTypes.Tensor[]): void {
    this.weights.forEach((w, i) => w.write(tensors[i]!));
  }
}
