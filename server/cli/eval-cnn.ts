/**
 * npm run eval:cnn -- --model models/cnn [--json] [--save] [--out <dir>] [--split validation]
 * Scores a trained classifier on the whole test set of the data folder (only the two t10k files
 * are needed, so FASHION_MNIST_DIR can name any IDX test set; --split validation needs the
 * training files). --json prints one JSON object on
 * stdout; --save stores it as an assessment of the model's version in the database.
 * --drawings scores the drawing evaluation set instead: the same test images as outline drawings
 * (server/ml/sketch/drawingSet.ts), built into data/fashion-mnist-drawings on first use; with
 * --split validation, the held-out training images as outline drawings (for choices and floors
 * that must not read a test figure).
 * --out <dir> writes the report card there as report-card.png: the confusion matrix as a heat map,
 * per-class accuracy bars and the most confident mistakes with their true and predicted labels.
 * --split validation scores the training images the model held out instead (train:cnn --validation
 * N: the last N of the training set, read from its training-log.json, from the data folder the log
 * names if it names one), for choices such as whether to serve with mirror averaging; like
 * assess --split validation, it is not stored.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { imageAt } from '../../lib/image';
import { runCli, UserFacingError } from '../errors';
import { backendInfo, initBackend } from '../ml/backend';
import { evaluateClassifier } from '../ml/models/classifier';
import { CLASS_NAMES, holdOutLast, loadSplit, resolveDataDir, type DatasetSplit } from '../ml/data/fashionMnist';
import { heldOutDataDir, heldOutOf, validationSplitText } from '../ml/training/heldOut';
import { averagesMirror, withoutMirrorAveraging } from '../ml/models/cnn';
import { countParams, loadLayersModel } from '../ml/models/storage';

const program = new Command('eval:cnn')
  .description('Evaluate a trained garment classifier on the Fashion-MNIST test set.')
  .option('--model <dir>', 'model folder', 'models/cnn')
  .option(
    '--data-dir <dir>',
    'folder with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (and the train files for --split validation)',
  )
  .option('--json', 'print one JSON object on stdout')
  .option('--save', 'store the result as an assessment in the database')
  .option('--drawings', "score outline drawings made from the split's images instead of the photos")
  .option(
    '--split <which>',
    'test (the report) or validation (the training images the model held out, train:cnn --validation; for choices, not stored)',
    'test',
  )
  .option('--out <dir>', 'write the report card picture (report-card.png) into this folder');

await runCli(async () => {
  program.parse();
  const o = program.opts();
  await initBackend();
  const model = await loadLayersModel(o.model);
  const outShape = model.outputs[0]?.shape;
  if (model.inputs[0]?.shape.join(',') !== ',28,28,1' || outShape?.join(',') !== ',10') {
    throw new UserFacingError(
      `${o.model} is not a garment classifier (input ${model.inputs[0]?.shape}, output ${outShape}).`,
    );
  }
  const split = o.split;
  if (split !== 'test' && split !== 'validation')
    throw new UserFacingError(`--split must be test or validation (got ${split}).`);
  if (split === 'validation' && o.save)
    throw new UserFacingError('--save stores a report on the test set: leave it out with --split validation.');
  const held = split === 'validation' ? await heldOutSplit(o.model, o.dataDir) : undefined;
  const photosDir = held?.dataDir ?? o.dataDir ?? resolveDataDir('test').dir;
  const drawingSet = o.drawings ? await import('../ml/sketch/drawingSet') : undefined;
  let dir = photosDir;
  let test: DatasetSplit;
  if (held) {
    // The held-out photos, or the same as outline drawings (made here, as the test set's are).
    const photos = holdOutLast(await loadSplit('train', photosDir), held.count).heldOut;
    test = drawingSet ? drawingSet.buildDrawingSet(photos) : photos;
  } else {
    if (drawingSet) dir = await drawingSet.ensureDrawingSet(undefined, photosDir);
    test = await loadSplit('test', dir);
  }
  const report = await evaluateClassifier(model, test.images, test.labels);
  // A mirror-averaging model is also scored as the network alone (no test-time augmentation).
  const bare = averagesMirror(model)
    ? await evaluateClassifier(withoutMirrorAveraging(model), test.images, test.labels)
    : report;
  const result = {
    accuracy: report.accuracy,
    perClassAccuracy: report.perClassAccuracy,
    confusionMatrix: report.confusionMatrix,
    params: countParams(model),
    /** whether the model averages its answers for each image and its mirror image (train:cnn --mirror-average) */
    mirrorAveraging: averagesMirror(model),
    /** the network alone, without mirror averaging (equals accuracy when the model does not average) */
    bareAccuracy: bare.accuracy,
    backend: backendInfo()?.name ?? 'unknown',
    split,
    /** outline drawings made from the split's photos (--drawings), not the photos */
    drawings: Boolean(o.drawings),
    ...(split === 'test'
      ? { testImages: report.count, testLoss: report.loss }
      : {
          validationImages: report.count,
          validationLoss: report.loss,
          validationSplit: validationSplitText(report.count),
        }),
    model: o.model,
    dataDir: dir,
  };
  if (o.out) {
    const { evaluateWithMistakes } = await import('../ml/assessment/quick');
    const { drawReportCard } = await import('../ml/assessment/reportCard');
    const png = drawReportCard({
      title: `${path.basename(path.resolve(o.model))} · ${o.drawings ? 'outline drawings' : split === 'test' ? 'Fashion-MNIST test set' : 'validation (held-out training images)'}`,
      accuracy: report.accuracy,
      testImages: report.count,
      split,
      perClassAccuracy: report.perClassAccuracy,
      confusionMatrix: report.confusionMatrix,
      mistakes: evaluateWithMistakes(model, test.images, test.labels).mistakes.map((m) => ({
        ...m,
        image: imageAt(test.images, m.index).slice(),
      })),
    });
    const file = path.join(o.out, 'report-card.png');
    try {
      await mkdir(o.out, { recursive: true });
      await writeFile(file, png);
    } catch (err) {
      throw new UserFacingError(
        `Could not write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): pass an --out folder you can write to.`,
      );
    }
    process.stderr.write(`wrote ${file}\n`);
  }
  if (o.save) {
    const { getDb, closeDb, registerModelVersion, saveAssessment } = await import('../db');
    const db = await getDb();
    const logText = await readFile(path.join(o.model, 'training-log.json'), 'utf8').catch(() => '{}');
    const version = await registerModelVersion(db, {
      kind: 'cnn',
      name: path.basename(path.resolve(o.model)),
      path: o.model,
      params: result.params,
      trainingLog: JSON.parse(logText),
      metrics: { accuracy: result.accuracy },
    });
    const a = await saveAssessment(db, version.id, o.drawings ? 'eval:cnn --drawings' : 'eval:cnn', result);
    await closeDb();
    process.stderr.write(`saved assessment ${a.id} of model version ${version.id}\n`);
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else {
    process.stdout.write(
      `${o.model}: ${o.drawings ? 'drawing' : split} accuracy ${(100 * result.accuracy).toFixed(2)}%` +
        (result.mirrorAveraging ? ` with mirror averaging, ${(100 * result.bareAccuracy).toFixed(2)}% without` : '') +
        ` on ${report.count} images, ${result.params.toLocaleString('en')} parameters, backend ${result.backend}\n`,
    );
    report.perClassAccuracy.forEach((a, c) =>
      process.stdout.write(`  ${CLASS_NAMES[c]!.padEnd(12)} ${(100 * a).toFixed(1)}%\n`),
    );
  }
  process.exit(0);
});

/**
 * Which training images the model held out, from its training log: their number, and the data
 * folder it trained from when the log names one (--data-dir); a different --data-dir is refused,
 * since the last N images of another folder are not the ones it left out.
 */
async function heldOutSplit(modelDir: string, given: string | undefined): Promise<{ count: number; dataDir: string }> {
  const held = await heldOutOf(modelDir);
  if (!held.logged)
    throw new UserFacingError(
      `${modelDir} has no readable training-log.json, so which training images it held out is unknown: use --split test.`,
    );
  if (held.count === 0)
    throw new UserFacingError(
      `${modelDir} trained on all training images (its training-log.json names no validation split): it has no held-out images to score; use --split test.`,
    );
  return { count: held.count, dataDir: heldOutDataDir([held], given, () => resolveDataDir('train').dir) };
}
