/**
 * npm run data:subset [-- --seed 7 --train-per-class 300 --test-per-class 100 --out tests/fixtures/fashion-mnist]
 * Writes a small class-stratified sample of the real Fashion-MNIST as the four standard gzip IDX
 * files, so the output folder works as a FASHION_MNIST_DIR for fast tests. Deterministic: the same
 * seed and source data give byte-identical files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { runCli } from '../errors';
import { IMAGE_PIXELS } from '../../lib/image';
import { CLASS_NAMES, NUM_CLASSES } from '../../lib/classes';
import { FILES, loadSplit, resolveDataDir, SPLITS, type DatasetSplit, type Split } from '../ml/data/fashionMnist';
import { writeIdx } from '../ml/data/idx';
import { mulberry32, shuffleInPlace, type Random } from '../ml/data/random';
import { configFromOptions, numberOption } from './options';

const Options = z.object({
  seed: z.number().int().min(0),
  trainPerClass: z.number().int().min(1).max(6000),
  testPerClass: z.number().int().min(1).max(1000),
  out: z.string().min(1),
  dataDir: z.string().optional(),
});

/** `perClass` indices of every class, picked at random, then mixed so batches see all classes. */
function stratifiedSample(labels: Uint8Array, perClass: number, random: Random): number[] {
  const byClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  labels.forEach((label, i) => byClass[label]!.push(i));
  const picked = byClass.flatMap((group, c) => {
    if (group.length < perClass) throw new Error(`class ${CLASS_NAMES[c]} has only ${group.length} images`);
    return shuffleInPlace(group, random).slice(0, perClass);
  });
  return shuffleInPlace(picked, random);
}

function take(split: DatasetSplit, indices: number[]): DatasetSplit {
  const images = new Uint8Array(indices.length * IMAGE_PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    images.set(split.images.subarray(src * IMAGE_PIXELS, (src + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    labels[i] = split.labels[src]!;
  });
  return { images, labels, count: indices.length };
}

const program = new Command('data:subset')
  .description('Write a small class-stratified subset of Fashion-MNIST (test fixture).')
  .option('--seed <n>', 'random seed', numberOption, 7)
  .option('--train-per-class <n>', 'training images per class', numberOption, 300)
  .option('--test-per-class <n>', 'test images per class', numberOption, 100)
  .option('--out <dir>', 'output folder', 'tests/fixtures/fashion-mnist')
  .option('--data-dir <dir>', 'folder with the full data set (default: the resolved one)');

await runCli(async () => {
  program.parse();
  const o = configFromOptions(Options, program.opts());
  const source = o.dataDir ? { dir: path.resolve(o.dataDir), description: o.dataDir } : resolveDataDir();
  await mkdir(o.out, { recursive: true });
  const random = mulberry32(o.seed);
  const perClass: Record<Split, number> = { train: o.trainPerClass, test: o.testPerClass };
  const lines: string[] = [];
  for (const split of SPLITS) {
    const full = await loadSplit(split, source.dir);
    const subset = take(full, stratifiedSample(full.labels, perClass[split], random));
    await writeIdx(path.join(o.out, FILES[split].images), {
      kind: 'images',
      count: subset.count,
      rows: 28,
      cols: 28,
      data: subset.images,
    });
    await writeIdx(path.join(o.out, FILES[split].labels), { kind: 'labels', count: subset.count, data: subset.labels });
    lines.push(
      `- ${split}: ${subset.count} images (${perClass[split]} per class) from the ${full.count} of the ${split} set`,
    );
    process.stdout.write(`${split}: ${subset.count} of ${full.count} images written to ${o.out}\n`);
  }
  const readme = [
    '# Fashion-MNIST test subset',
    '',
    'A class-stratified random sample of the real Fashion-MNIST (Zalando Research, MIT licence), in the',
    'four standard gzip IDX files, so this folder works as a `FASHION_MNIST_DIR` for fast tests.',
    '',
    ...lines,
    '',
    `Written by \`npm run data:subset -- --seed ${o.seed} --train-per-class ${o.trainPerClass} --test-per-class ${o.testPerClass}\``,
    '(server/cli/make-subset.ts); the same seed and source data give byte-identical files.',
    '',
  ].join('\n');
  await writeFile(path.join(o.out, 'README.md'), readme);
});
