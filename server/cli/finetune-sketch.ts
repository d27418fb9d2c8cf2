/**
 * npm run finetune:sketch -- [--model models/cnn] [--out models/cnn-finetuned] [--steps 300] [--json]
 * Fine-tunes the recognizer on the drawings people confirmed (the database's Drawing table) mixed
 * with the original training data, and reports accuracy before and after on: the photo test set,
 * the drawing evaluation set (outline drawings of the test images) and the confirmed drawings held
 * out of fine-tuning (every fifth by id). The result goes to --out with a training log; copy it
 * over models/cnn (or pass --out models/cnn) to serve it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { env } from '../env';
import { runCli, UserFacingError } from '../errors';
import { evaluateClassifier } from '../ml/models/classifier';
import { initBackend } from '../ml/backend';
import { loadSplit, resolveDataDir } from '../ml/data/fashionMnist';
import { countParams, loadLayersModel, saveLayersModel } from '../ml/models/storage';
import { ensureDrawingSet } from '../ml/sketch/drawingSet';
import { PIXELS, sketchToImage28, type Stroke } from '../../lib/sketch/preprocess';
import { fineTune, isHeldOut, type LabelledImages } from '../recognition/finetune';
import { numberOption } from './options';

const program = new Command('finetune:sketch')
  .description('Fine-tune the garment recognizer on confirmed drawings plus the original data.')
  .option('--model <dir>', 'model to start from', path.join(env.MODELS_DIR, 'cnn'))
  .option('--out <dir>', 'where to write the fine-tuned model', path.join(env.MODELS_DIR, 'cnn-finetuned'))
  .option('--steps <n>', 'training steps', numberOption, 300)
  .option('--batch-size <n>', 'images per step', numberOption, 64)
  .option('--lr <x>', 'Adam learning rate', numberOption, 3e-4)
  .option('--drawing-share <x>', 'share of each batch taken from confirmed drawings', numberOption, 0.25)
  .option('--sketch-share <x>', 'share of the original images shown as synthetic drawings', numberOption, 0.4)
  .option('--seed <n>', 'random seed', numberOption, 1)
  .option('--json', 'print one JSON object on stdout');

await runCli(async () => {
  program.parse();
  const o = program.opts();
  for (const [name, v] of [
    ['--lr', o.lr],
    ['--drawing-share', o.drawingShare],
    ['--sketch-share', o.sketchShare],
  ] as const) {
    if (!Number.isFinite(v) || v < 0 || (name !== '--lr' && v > 1) || (name === '--lr' && v === 0)) {
      throw new UserFacingError(
        `${name} is ${v}: give ${name === '--lr' ? 'a positive number such as 0.0003' : 'a share between 0 and 1'}.`,
      );
    }
  }
  for (const [name, v, most] of [
    ['--steps', o.steps, 100_000],
    ['--batch-size', o.batchSize, 1024],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > most)
      throw new UserFacingError(`${name} is ${v}: give a whole number from 1 to ${most.toLocaleString('en-US')}.`);
  }
  const log = (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n');
  await initBackend();
  const model = await loadLayersModel(o.model);

  const { getDb, closeDb } = await import('../db');
  const rows = await (await getDb()).drawing.findMany({
    select: { id: true, strokes: true, label: true },
    orderBy: { id: 'asc' },
  });
  await closeDb();
  const train = collect(rows.filter((r) => !isHeldOut(r.id)));
  const heldOut = collect(rows.filter((r) => isHeldOut(r.id)));
  if (train.count === 0) {
    throw new UserFacingError('There are no confirmed drawings to learn from yet: draw and save some at /draw first.');
  }
  log(`${rows.length} confirmed drawings: ${train.count} to fine-tune on, ${heldOut.count} held out to measure`);

  const testDir = resolveDataDir('test').dir;
  const [original, photos, drawingSet] = await Promise.all([
    loadSplit('train', resolveDataDir('train').dir),
    loadSplit('test', testDir),
    ensureDrawingSet(undefined, testDir).then((dir) => loadSplit('test', dir)),
  ]);
  const measure = async () => ({
    photoAccuracy: (await evaluateClassifier(model, photos.images, photos.labels)).accuracy,
    drawingSetAccuracy: (await evaluateClassifier(model, drawingSet.images, drawingSet.labels)).accuracy,
    heldOutAccuracy: heldOut.count ? (await evaluateClassifier(model, heldOut.images, heldOut.labels)).accuracy : null,
  });
  const before = await measure();
  const started = Date.now();
  const losses = fineTune(model, train, original, {
    steps: o.steps,
    batchSize: o.batchSize,
    lr: o.lr,
    drawingShare: o.drawingShare,
    sketchShare: o.sketchShare,
    seed: o.seed,
    onStep: (step, loss) => {
      if ((step + 1) % 50 === 0 || step + 1 === o.steps) log(`  step ${step + 1}/${o.steps}  loss ${loss.toFixed(4)}`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const after = await measure();

  const sourceLog: unknown = JSON.parse(
    await readFile(path.join(o.model, 'training-log.json'), 'utf8').catch(() => '{}'),
  );
  const result = {
    model: o.model,
    out: o.out,
    drawings: { total: rows.length, trained: train.count, heldOut: heldOut.count },
    steps: o.steps,
    seconds,
    loss: losses,
    before,
    after,
  };
  await saveLayersModel(model, o.out);
  await writeFile(
    path.join(o.out, 'training-log.json'),
    JSON.stringify(
      {
        kind: 'cnn',
        finetune: { ...result, options: o, params: countParams(model), at: new Date().toISOString() },
        source: sourceLog,
      },
      null,
      2,
    ) + '\n',
  );

  const pct = (v: number | null) => (v === null ? '   n/a' : `${(100 * v).toFixed(2).padStart(6)}%`);
  log(
    `fine-tuned ${o.steps} steps in ${seconds.toFixed(0)} s, loss ${losses.firstLoss.toFixed(3)} -> ${losses.lastLoss.toFixed(3)}; written to ${o.out}`,
  );
  log(`                                   before    after`);
  log(`  photo test accuracy             ${pct(before.photoAccuracy)}  ${pct(after.photoAccuracy)}`);
  log(`  drawing set accuracy            ${pct(before.drawingSetAccuracy)}  ${pct(after.drawingSetAccuracy)}`);
  log(
    `  held-out confirmed drawings     ${pct(before.heldOutAccuracy)}  ${pct(after.heldOutAccuracy)}  (${heldOut.count} drawings)`,
  );
  if (o.json) process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
});

/** Confirmed drawings as model input, re-preprocessed from their strokes (the current convention). */
function collect(rows: { strokes: unknown; label: number }[]): LabelledImages {
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (const row of rows) {
    const image = Array.isArray(row.strokes) ? sketchToImage28(row.strokes as Stroke[]) : null;
    if (!image) continue;
    images.push(image);
    labels.push(row.label);
  }
  const flat = new Float32Array(images.length * PIXELS);
  images.forEach((img, i) => flat.set(img, i * PIXELS));
  return { images: flat, labels: Uint8Array.from(labels), count: images.length };
}
