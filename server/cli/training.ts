/**
 * What every training command line shares: the common flags, the config fields they map to, and
 * running a training with a progress bar and Ctrl-C stopping after the current step.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UserFacingError } from '../errors';
import type { TrainingConfig } from '../ml/training/config';
import { startTraining, type TrainingResult } from '../ml/training/run';
import { numberOption } from './options';
import { attachProgress } from './progress';

export interface TrainingDefaults {
  epochs: number;
  batchSize: number;
  lr: number;
  replicas: number;
  out: string;
  /** what the seed decides, for --help */
  seedDecides: string;
}

export function addTrainingOptions(program: Command, d: TrainingDefaults): Command {
  return program
    .option('--epochs <n>', 'epochs', numberOption, d.epochs)
    .option('--batch-size <n>', 'batch size (split across replicas)', numberOption, d.batchSize)
    .option('--lr <x>', 'peak learning rate (Adam)', numberOption, d.lr)
    .option('--lr-schedule <s>', 'learning-rate schedule: cosine or constant', 'cosine')
    .option('--seed <n>', `random seed (${d.seedDecides})`, numberOption, 42)
    .option('--replicas <n>', 'data-parallel worker threads', numberOption, d.replicas)
    .option('--train-limit <n>', 'train on N images of the training set', numberOption)
    .option('--test-limit <n>', 'evaluate on N images of the test set', numberOption)
    .option('--data-dir <dir>', 'folder with the Fashion-MNIST IDX files')
    .option('--out <dir>', 'where the trained model and training-log.json go', d.out)
    .option('--checkpoint-dir <dir>', 'per-epoch checkpoints (default: checkpoints/<out folder name>)')
    .option(
      '--no-resume',
      'start afresh, overwriting any checkpoint in --checkpoint-dir (one made with other settings is otherwise refused)',
    )
    .option(
      '--validation <n>',
      'hold out the last N training images as a validation set: never trained on, every epoch is scored on it, and the saved model is the epoch (or weight average) best on it: validation accuracy for the CNN, validation ELBO for the VAE (default: none)',
      numberOption,
    )
    .option(
      '--ema <decay>',
      'keep an exponential moving average of the weights with this decay per step (e.g. 0.998), scored every epoch',
      numberOption,
      0,
    );
}

/** The config fields of the common flags (validated later by the config schema). */
export function trainingFields(o: Record<string, unknown>, script: string): Record<string, unknown> {
  return {
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    lrSchedule: o.lrSchedule,
    seed: o.seed,
    replicas: o.replicas,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    dataDir: o.dataDir,
    outDir: o.out,
    checkpointDir: o.checkpointDir ?? path.join('checkpoints', path.basename(path.resolve(o.out as string))),
    resume: o.resume,
    validationCount: o.validation,
    ema: o.ema,
    command: commandLine(script),
  };
}

/** The command line that is running, as a person would type it (for logs). */
export function commandLine(script: string): string {
  return `npm run ${script} -- ${process.argv.slice(2).join(' ')}`.trim();
}

/** Adds (or replaces) one field of a model folder's training-log.json; a folder without a log gets one. */
export async function recordInTrainingLog(dir: string, field: string, value: unknown): Promise<void> {
  const file = path.join(dir, 'training-log.json');
  const log = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>) : {};
  log[field] = value;
  await writeFile(file, JSON.stringify(log, null, 2) + '\n');
}

/** Runs a training with a progress bar; Ctrl-C stops after the current step. */
export async function trainWithProgress(config: TrainingConfig): Promise<TrainingResult> {
  const run = startTraining(config);
  attachProgress(run);
  const onInterrupt = () => {
    process.stderr.write('\nstopping after this step (checkpoint of the last finished epoch is kept)...\n');
    run.stop();
  };
  process.on('SIGINT', onInterrupt);
  // Once training is over, Ctrl-C stops the work after it (a prior fit, evaluations) at once again.
  return run.done
    .catch((err: Error) => {
      throw err instanceof UserFacingError ? err : new UserFacingError(`training failed: ${err.message}`);
    })
    .finally(() => process.off('SIGINT', onInterrupt));
}
