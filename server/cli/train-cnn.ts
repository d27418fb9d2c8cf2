/**
 * npm run train:cnn -- --epochs 20 --batch-size 128 --lr 0.002 --seed 42 --out models/cnn
 * Trains the garment classifier in worker threads (data-parallel over the machine's cores by
 * default), shows a progress bar, checkpoints every epoch and resumes an interrupted run.
 */
import os from 'node:os';
import { Command } from 'commander';
import { runCli, UserFacingError } from '../errors';
import { TrainingConfigSchema } from '../ml/training/config';
import { initBackend } from '../ml/backend';
import { evaluateClassifier } from '../ml/models/classifier';
import { loadSplit, resolveDataDir } from '../ml/data/fashionMnist';
import { CnnArchSchema, NUM_CLASSES, withMirrorAveraging } from '../ml/models/cnn';
import { heldOutCountOf, validationSplitText } from '../ml/training/heldOut';
import { loadLayersModel, saveLayersModel } from '../ml/models/storage';
import { ensureDrawingSet } from '../ml/sketch/drawingSet';
import { configFromOptions, numberOption } from './options';
import { addTrainingOptions, commandLine, recordInTrainingLog, trainingFields, trainWithProgress } from './training';

const program = addTrainingOptions(
  new Command('train:cnn').description('Train the Fashion-MNIST garment classifier (CNN).'),
  {
    epochs: 20,
    batchSize: 128,
    lr: 0.002,
    replicas: Math.max(1, os.availableParallelism()),
    out: 'models/cnn',
    seedDecides: 'weights, data order, augmentation',
  },
)
  .option('--no-augment', 'no random shifts and mirrors')
  .option('--max-shift <px>', 'largest random shift of the augmentation, in pixels', numberOption, 2)
  .option('--sketch-fraction <x>', 'share of training images replaced by synthetic outline drawings', numberOption, 0.2)
  .option('--drawing-eval <n>', 'test images turned into drawings for a per-epoch drawing accuracy', numberOption, 2000)
  .option('--dropout <x>', 'dropout rate', numberOption)
  .option('--filters <list>', 'filters of the three conv stages, e.g. 32,48,96', (v: string) =>
    v.split(',').map(Number),
  )
  .option('--convs <list>', 'convolutions per conv stage, e.g. 1,2,2 (default 1,1,1)', (v: string) =>
    v.split(',').map(Number),
  )
  .option('--dense <n>', 'units of the penultimate dense layer', numberOption)
  .option('--label-smoothing <x>', 'label smoothing of the cross-entropy', numberOption, 0)
  .option(
    '--teachers <dirs>',
    'knowledge distillation: comma-separated classifier folders whose averaged softened answers the network also learns from (with --validation they must have held out the same images)',
    (v: string) =>
      v
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
  )
  .option(
    '--distill <weight>',
    "share of the loss that is the teachers' (0-1; default 0.5 with --teachers)",
    numberOption,
  )
  .option('--distill-temperature <T>', 'softmax temperature of the distillation', numberOption, 4)
  .option(
    '--erase-prob <p>',
    'probability of random erasing (a noise rectangle of 2-25 % of the image) per training image',
    numberOption,
    0,
  )
  .option(
    '--mirror-average',
    'write the model as one that averages its answers for an image and its mirror image (2x compute)',
  );

/**
 * Replaces the model in `outDir` by its mirror-averaging form (withMirrorAveraging) and records
 * both models' test and drawing accuracy in its training-log.json.
 */
async function writeMirrorAveraged(outDir: string, dataDir: string | undefined, withDrawings: boolean): Promise<void> {
  await initBackend();
  const base = await loadLayersModel(outDir);
  const model = withMirrorAveraging(base);
  const photosDir = dataDir ?? resolveDataDir('test').dir;
  const photos = await loadSplit('test', photosDir);
  const basePhotos = await evaluateClassifier(base, photos.images, photos.labels);
  const mirroredPhotos = await evaluateClassifier(model, photos.images, photos.labels);
  // Drawing accuracy only when the run measures it (--drawing-eval > 0), on the whole drawing set.
  const drawings = withDrawings ? await loadSplit('test', await ensureDrawingSet(undefined, photosDir)) : undefined;
  const baseDrawings = drawings && (await evaluateClassifier(base, drawings.images, drawings.labels));
  const mirroredDrawings = drawings && (await evaluateClassifier(model, drawings.images, drawings.labels));
  await saveLayersModel(model, outDir);
  await recordInTrainingLog(outDir, 'mirrorAveraging', {
    // may differ from the log's command: a finished run re-run with --mirror-average only does this step
    command: commandLine('train:cnn'),
    testImages: photos.count,
    withoutMirror: {
      testAccuracy: basePhotos.accuracy,
      testLoss: basePhotos.loss,
      drawingAccuracy: baseDrawings?.accuracy,
    },
    withMirror: {
      testAccuracy: mirroredPhotos.accuracy,
      testLoss: mirroredPhotos.loss,
      drawingAccuracy: mirroredDrawings?.accuracy,
      perClassAccuracy: mirroredPhotos.perClassAccuracy,
      confusionMatrix: mirroredPhotos.confusionMatrix,
    },
  });
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  process.stderr.write(
    `mirror averaging: test accuracy ${pct(basePhotos.accuracy)} -> ${pct(mirroredPhotos.accuracy)}` +
      (baseDrawings && mirroredDrawings
        ? `, drawings ${pct(baseDrawings.accuracy)} -> ${pct(mirroredDrawings.accuracy)}`
        : '') +
      `; wrote ${outDir}\n`,
  );
}

/**
 * The teachers load as classifiers, before any worker starts; with a validation set, each must have
 * held out the same images (its training log, every run behind it): a teacher that trained on them
 * would carry their labels into the network through its answers.
 */
async function checkTeachers(dirs: string[], validationCount: number): Promise<void> {
  if (dirs.length === 0) return;
  await initBackend();
  for (const dir of dirs) {
    const model = await loadLayersModel(dir).catch((err: unknown) => {
      throw new UserFacingError(
        `--teachers: no classifier at ${dir} (${err instanceof Error ? err.message : err}): give folders written by npm run train:cnn.`,
      );
    });
    const shape = model.outputs[0]!.shape;
    model.dispose();
    if (shape.at(-1) !== NUM_CLASSES)
      throw new UserFacingError(
        `--teachers: ${dir} is not a garment classifier (its output has ${shape.at(-1)} values, not ${NUM_CLASSES}).`,
      );
    const held = await heldOutCountOf(dir);
    if (validationCount > 0 && held !== validationCount)
      throw new UserFacingError(
        `--teachers: ${dir} ${held === 0 ? 'trained on all training images' : `held out ${validationSplitText(held)}`}, but this run holds out ${validationSplitText(validationCount)}: use teachers trained with --validation ${validationCount}.`,
      );
  }
}

await runCli(async () => {
  program.parse();
  const o = program.opts();
  // The architecture is built inside every worker: checked here, so a bad --filters is one line
  // naming the flag before any data loads.
  const arch = Object.fromEntries(
    Object.entries({ dropout: o.dropout, filters: o.filters, convs: o.convs, dense: o.dense }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const parsedArch = CnnArchSchema.safeParse(arch);
  if (!parsedArch.success) {
    const i = parsedArch.error.issues[0]!;
    const flag = String(i.path[0] ?? 'architecture');
    const given = arch[flag];
    throw new UserFacingError(
      `Invalid CNN option --${flag} ${Array.isArray(given) ? given.join(',') : String(given)}: ${flag === 'filters' || flag === 'convs' ? 'three comma-separated whole numbers (one per stage), ' : ''}${i.message}.`,
    );
  }
  const config = configFromOptions(TrainingConfigSchema, {
    ...trainingFields(o, 'train:cnn'),
    task: 'cnn',
    augment: o.augment,
    maxShift: o.maxShift,
    sketchFraction: o.sketchFraction,
    drawingEvalCount: o.drawingEval,
    labelSmoothing: o.labelSmoothing,
    ...(o.teachers
      ? { teachers: o.teachers, distillWeight: o.distill ?? 0.5, distillTemperature: o.distillTemperature }
      : {}),
    eraseProb: o.eraseProb,
    arch,
  });
  if (o.distill !== undefined && !o.teachers) throw new UserFacingError('--distill needs --teachers.');
  await checkTeachers(config.teachers, config.validationCount);
  const result = await trainWithProgress(config);
  if (o.mirrorAverage && result.outDir)
    await writeMirrorAveraged(result.outDir, config.dataDir, config.drawingEvalCount > 0);
  const last = result.log.epochs.at(-1);
  if (last) {
    process.stderr.write(
      `final ${last.evaluation.headlineName}: ${(100 * last.evaluation.headline).toFixed(2)}% after ${result.log.epochs.length} epochs, ` +
        `${(result.log.trainSeconds / 60).toFixed(1)} min of training\n`,
    );
  }
  process.exit(0);
});
