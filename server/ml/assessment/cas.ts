/**
 * Classification Accuracy Score (Ravuri & Vinyals 2019): train the garment CNN architecture only on
 * generated images and measure it on the real test set. A generator whose samples carry their
 * class's real variety scores near a real-trained classifier; one that draws few prototypes, or
 * the wrong class, scores lower. The generated set is written as IDX files into a work folder, so
 * the unchanged training code (worker threads, same recipe) trains on it.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../models/cnn';
import { FILES, splitFiles } from '../data/fashionMnist';
import { writeIdx } from '../data/idx';
import type { ClassPriors } from '../models/classPrior';
import { sample } from '../models/sample';
import { startTraining } from '../training/run';
import type { TrainingEvent } from '../training/events';
import { IMAGE_PIXELS } from '../../../lib/image';

export interface CasOptions {
  decoder: tfTypes.LayersModel;
  prior?: ClassPriors;
  /** latent standard deviation of the generated images (1 = the prior) */
  temperature?: number;
  /** generated training images per class (the real training set has 6,000) */
  perClass: number;
  seed: number;
  /** folder holding the real t10k files */
  realDataDir: string;
  /** scratch folder for the generated data set and the CAS classifier */
  workDir: string;
  epochs: number;
  replicas: number;
  onEvent?: (e: TrainingEvent) => void;
}

export interface CasResult {
  /** accuracy on the real test set of the classifier trained only on generated images */
  accuracy: number;
  /** real test accuracy after each epoch (the last is `accuracy`): shows whether more epochs help */
  accuracyByEpoch: number[];
  perClassAccuracy: number[];
  trainImages: number;
  testImages: number;
  epochs: number;
  trainSeconds: number;
  modelDir: string;
}

/** Writes perClass generated images of every class as train-*-idx files, plus the real test files. */
export async function writeGeneratedDataset(
  decoder: tfTypes.LayersModel,
  perClass: number,
  seed: number,
  realDataDir: string,
  dir: string,
  prior?: ClassPriors,
  temperature = 1,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  const count = perClass * NUM_CLASSES;
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  // Classes interleaved, so any prefix of the set is balanced.
  const chunk = 2000;
  for (let start = 0; start < count; start += chunk) {
    const size = Math.min(chunk, count - start);
    const classes = Array.from({ length: size }, (_, i) => (start + i) % NUM_CLASSES);
    const set = sample(decoder, classes, size, seed + start, temperature, prior);
    for (let i = 0; i < size * IMAGE_PIXELS; i++) images[start * IMAGE_PIXELS + i] = Math.round(set.images[i]! * 255);
    labels.set(set.labels, start);
  }
  // Uncompressed names: gzip of 47 MB would cost more time than the training reads save.
  await writeIdx(path.join(dir, FILES.train.images.replace(/\.gz$/, '')), {
    kind: 'images',
    count,
    rows: 28,
    cols: 28,
    data: images,
  });
  await writeIdx(path.join(dir, FILES.train.labels.replace(/\.gz$/, '')), { kind: 'labels', count, data: labels });
  const real = splitFiles(realDataDir, 'test');
  await copyFile(real.images, path.join(dir, path.basename(real.images)));
  await copyFile(real.labels, path.join(dir, path.basename(real.labels)));
  return count;
}

export interface CasSummary {
  /** mean over the runs of the real test accuracy (each run's last epoch) */
  accuracy: number;
  /** sample standard deviation over the runs (0 for one run) */
  std: number;
  min: number;
  max: number;
  /** per class, the mean over the runs */
  perClassAccuracy: number[];
  seeds: number[];
  runs: CasResult[];
}

/** Seed of CAS run i: run 0 uses the assessment's own seed, later runs are spread away from it. */
export const casRunSeed = (seed: number, run: number): number => seed + 7919 * run;

/**
 * CAS repeated with `runs` seeds (each a new generated set, classifier initialisation and data
 * order), summarized by the mean: one run's figure moves by ~5 points with the seed. Each run
 * lives in `workDir/run-<i>`; its generated set (47 MB, reproducible from the seed) is removed
 * once the run has its figure.
 */
export async function casOverRuns(
  o: CasOptions,
  runs: number,
  onRun?: (run: number, seed: number) => void,
): Promise<CasSummary> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`CAS needs at least 1 run (got ${runs})`);
  const results: CasResult[] = [];
  const seeds = Array.from({ length: runs }, (_, i) => casRunSeed(o.seed, i));
  await rm(o.workDir, { recursive: true, force: true }); // no run folders left from an earlier, longer assessment
  for (const [i, seed] of seeds.entries()) {
    onRun?.(i, seed);
    const workDir = path.join(o.workDir, `run-${i}`);
    results.push(await classificationAccuracyScore({ ...o, seed, workDir }));
    await rm(path.join(workDir, 'data'), { recursive: true, force: true });
  }
  return summarizeCas(results, seeds);
}

/** Mean, sample sd (n - 1), range and per-class mean of CAS runs. */
export function summarizeCas(results: CasResult[], seeds: number[]): CasSummary {
  const runs = results.length;
  if (runs < 1 || seeds.length !== runs) throw new RangeError(`CAS summary of ${runs} runs with ${seeds.length} seeds`);
  const acc = results.map((r) => r.accuracy);
  const mean = acc.reduce((a, b) => a + b, 0) / runs;
  const std = runs > 1 ? Math.sqrt(acc.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1)) : 0;
  return {
    accuracy: mean,
    std,
    min: Math.min(...acc),
    max: Math.max(...acc),
    perClassAccuracy: Array.from(
      { length: NUM_CLASSES },
      (_, c) => results.reduce((a, r) => a + r.perClassAccuracy[c]!, 0) / runs,
    ),
    seeds,
    runs: results,
  };
}

export async function classificationAccuracyScore(o: CasOptions): Promise<CasResult> {
  const dataDir = path.join(o.workDir, 'data');
  await rm(o.workDir, { recursive: true, force: true });
  const trainImages = await writeGeneratedDataset(
    o.decoder,
    o.perClass,
    o.seed,
    o.realDataDir,
    dataDir,
    o.prior,
    o.temperature,
  );
  const modelDir = path.join(o.workDir, 'cnn');
  const run = startTraining({
    task: 'cnn',
    epochs: o.epochs,
    replicas: o.replicas,
    seed: o.seed,
    dataDir,
    outDir: modelDir,
    command: 'npm run assess -- --cas',
  });
  if (o.onEvent) run.on('event', o.onEvent);
  const { log } = await run.done;
  const last = log.epochs.at(-1)!;
  return {
    accuracy: last.evaluation.testAccuracy as number,
    accuracyByEpoch: log.epochs.map((e) => e.evaluation.testAccuracy as number),
    perClassAccuracy: last.evaluation.perClassAccuracy as number[],
    trainImages,
    testImages: log.testImages,
    epochs: log.epochs.length,
    trainSeconds: log.trainSeconds,
    modelDir,
  };
}
