/**
 * npm run train:cnn -- --epochs 20 --batch-size 128 --lr 0.002 --seed 42 --out models/cnn
 * Trains the garment classifier in worker threads (data-parallel over the machine's cores by
 * default), shows a progress bar, checkpoints every epoch and resumes an interrupted run.
 */
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { runCli, UserFacingError } from '../errors';
import { TrainingConfigSchema } from '../ml/training/config';
import { startTraining } from '../ml/training/run';
import { attachProgress } from './progress';
import { configFromOptions, numberOption } from './options';

const program = new Command('train:cnn')
  .description('Train the Fashion-MNIST garment classifier (CNN).')
  .option('--epochs <n>', 'epochs', numberOption, 20)
  .option('--batch-size <n>', 'batch size (split across replicas)', numberOption, 128)
  .option('--lr <x>', 'peak learning rate (Adam)', numberOption, 0.002)
  .option('--lr-schedule <s>', 'learning-rate schedule: cosine or constant', 'cosine')
  .option('--seed <n>', 'random seed (weights, data order, augmentation)', numberOption, 42)
  .option('--replicas <n>', 'data-parallel worker threads', numberOption, Math.max(1, os.availableParallelism()))
  .option('--train-limit <n>', 'train on N images of the training set', numberOption)
  .option('--test-limit <n>', 'evaluate on N images of the test set', numberOption)
  .option('--no-augment', 'no random shifts and mirrors')
  .option('--sketch-fraction <x>', 'share of training images replaced by synthetic outline drawings', numberOption, 0.2)
  .option('--drawing-eval <n>', 'test images turned into drawings for a per-epoch drawing accuracy', numberOption, 2000)
  .option('--dropout <x>', 'dropout rate', numberOption)
  .option('--filters <list>', 'filters of the three conv stages, e.g. 32,48,96', (v: string) => v.split(',').map(Number))
  .option('--dense <n>', 'units of the penultimate dense layer', numberOption)
  .option('--data-dir <dir>', 'folder with the Fashion-MNIST IDX files')
  .option('--out <dir>', 'where the trained model and training-log.json go', 'models/cnn')
  .option('--checkpoint-dir <dir>', 'per-epoch checkpoints (default: checkpoints/<out folder name>)')
  .option('--no-resume', 'start afresh even if a matching checkpoint exists');

await runCli(async () => {
  program.parse();
  const o = program.opts();
  const config = configFromOptions(TrainingConfigSchema, {
    task: 'cnn',
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    lrSchedule: o.lrSchedule,
    seed: o.seed,
    replicas: o.replicas,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    augment: o.augment,
    sketchFraction: o.sketchFraction,
    drawingEvalCount: o.drawingEval,
    arch: Object.fromEntries(
      Object.entries({ dropout: o.dropout, filters: o.filters, dense: o.dense }).filter(([, v]) => v !== undefined),
    ),
    dataDir: o.dataDir,
    outDir: o.out,
    checkpointDir: o.checkpointDir ?? path.join('checkpoints', path.basename(path.resolve(o.out as string))),
    resume: o.resume,
    command: `npm run train:cnn -- ${process.argv.slice(2).join(' ')}`.trim(),
  });
  const run = startTraining(config);
  attachProgress(run);
  process.on('SIGINT', () => {
    process.stderr.write('\nstopping after this step (checkpoint of the last finished epoch is kept)...\n');
    run.stop();
  });
  const result = await run.done.catch((err: Error) => {
    throw err instanceof UserFacingError ? err : new UserFacingError(`training failed: ${err.message}`);
  });
  const last = result.log.epochs.at(-1);
  if (last) {
    process.stderr.write(
      `final ${last.evaluation.headlineName}: ${(100 * last.evaluation.headline).toFixed(2)}% after ${result.log.epochs.length} epochs, ` +
        `${(result.log.trainSeconds / 60).toFixed(1)} min of training\n`,
    );
  }
  process.exit(0);
});
