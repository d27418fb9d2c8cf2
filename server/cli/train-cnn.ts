/**
 * npm run train:cnn -- --epochs 20 --batch-size 128 --lr 0.002 --seed 42 --out models/cnn
 * Trains the garment classifier in worker threads (data-parallel over the machine's cores by
 * default), shows a progress bar, checkpoints every epoch and resumes an interrupted run.
 */
import os from 'node:os';
import { Command } from 'commander';
import { runCli } from '../errors';
import { TrainingConfigSchema } from '../ml/training/config';
import { configFromOptions, numberOption } from './options';
import { addTrainingOptions, trainingFields, trainWithProgress } from './training';

const program = addTrainingOptions(new Command('train:cnn').description('Train the Fashion-MNIST garment classifier (CNN).'), {
  epochs: 20,
  batchSize: 128,
  lr: 0.002,
  replicas: Math.max(1, os.availableParallelism()),
  out: 'models/cnn',
  seedDecides: 'weights, data order, augmentation',
})
  .option('--no-augment', 'no random shifts and mirrors')
  .option('--max-shift <px>', 'largest random shift of the augmentation, in pixels', numberOption, 2)
  .option('--sketch-fraction <x>', 'share of training images replaced by synthetic outline drawings', numberOption, 0.2)
  .option('--drawing-eval <n>', 'test images turned into drawings for a per-epoch drawing accuracy', numberOption, 2000)
  .option('--dropout <x>', 'dropout rate', numberOption)
  .option('--filters <list>', 'filters of the three conv stages, e.g. 32,48,96', (v: string) => v.split(',').map(Number))
  .option('--dense <n>', 'units of the penultimate dense layer', numberOption);

await runCli(async () => {
  program.parse();
  const o = program.opts();
  const config = configFromOptions(TrainingConfigSchema, {
    ...trainingFields(o, 'train:cnn'),
    task: 'cnn',
    augment: o.augment,
    maxShift: o.maxShift,
    sketchFraction: o.sketchFraction,
    drawingEvalCount: o.drawingEval,
    arch: Object.fromEntries(
      Object.entries({ dropout: o.dropout, filters: o.filters, dense: o.dense }).filter(([, v]) => v !== undefined),
    ),
  });
  const result = await trainWithProgress(config);
  const last = result.log.epochs.at(-1);
  if (last) {
    process.stderr.write(
      `final ${last.evaluation.headlineName}: ${(100 * last.evaluation.headline).toFixed(2)}% after ${result.log.epochs.length} epochs, ` +
        `${(result.log.trainSeconds / 60).toFixed(1)} min of training\n`,
    );
  }
  process.exit(0);
});
