/**
 * The quick assessment a finished session's model gets by itself (server/realtime/sessions/
 * assessor.ts runs it in a worker thread): a CNN's test accuracy, per-class accuracy, confusion
 * matrix and most confident mistakes on the whole test set; a VAE's judge accuracy plain and
 * best-of-N, Fréchet ratio and precision/recall on a fixed subset of the test set (the first
 * QUICK_VAE.testImages images, fixed seeds), sized to finish well under a minute on 2 cores.
 * The figures are smaller-sample versions of `npm run assess`, so they are labelled as quick.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, backendInfo } from '../backend';
import { loadSplit, type DatasetSplit } from '../data/fashionMnist';
import { loadClassPriors } from '../models/classPrior';
import { countParams, loadLayersModel } from '../models/storage';
import { loadVae } from '../models/vae';
import { classifierReport, imagesToTensor, predictProbabilities, type ClassifierReport } from '../models/classifier';
import { loadJudge } from '../models/judge';
import { assessVae } from './quality';

export const QUICK_VAE = {
  testImages: 2000,
  nPerClass: 100,
  bestOf: 8,
  filteredPerClass: 20,
  frechetSplits: 1,
  seed: 1,
} as const;
export const MISTAKES_KEPT = 24;

export interface QuickJob {
  kind: 'cnn' | 'vae';
  modelDir: string;
  /** Folder with the t10k IDX files. */
  dataDir: string;
  /** The judge CNN of a VAE assessment. */
  judgeDir: string;
}

export interface Mistake {
  /** Index in the test set. */
  index: number;
  label: number;
  predicted: number;
  confidence: number;
}

/**
 * One pass over a labelled set: accuracy, loss, per-class accuracy, the confusion matrix (as
 * evaluateClassifier reports them) and the images the classifier got wrong with the highest
 * confidence in its wrong answer.
 */
export function evaluateWithMistakes(
  model: tfTypes.LayersModel,
  images: Uint8Array,
  labels: Uint8Array,
  keep = MISTAKES_KEPT,
  batchSize = 500,
): ClassifierReport & { mistakes: Mistake[] } {
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const found: Mistake[] = [];
  let lossSum = 0;
  for (let start = 0; start < labels.length; start += batchSize) {
    const size = Math.min(batchSize, labels.length - start);
    const x = imagesToTensor(images, start, size);
    const p = predictProbabilities(model, x);
    const probs = p.dataSync();
    x.dispose();
    p.dispose();
    for (let i = 0; i < size; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (probs[i * 10 + c]! > probs[i * 10 + best]!) best = c;
      const label = labels[start + i]!;
      confusion[label]![best]!++;
      lossSum -= Math.log(Math.max(probs[i * 10 + label]!, 1e-12));
      if (best !== label) found.push({ index: start + i, label, predicted: best, confidence: probs[i * 10 + best]! });
    }
  }
  return {
    ...classifierReport(confusion, lossSum),
    mistakes: found.sort((a, b) => b.confidence - a.confidence).slice(0, keep),
  };
}

function firstImages(split: DatasetSplit, n: number): DatasetSplit {
  const count = Math.min(n, split.count);
  return { images: split.images.subarray(0, count * 784), labels: split.labels.subarray(0, count), count };
}

export async function quickAssessment(job: QuickJob): Promise<Record<string, unknown>> {
  const started = performance.now();
  await initBackend();
  const test = await loadSplit('test', job.dataDir);
  if (job.kind === 'cnn') {
    const model = await loadLayersModel(job.modelDir);
    const report = evaluateWithMistakes(model, test.images, test.labels);
    const params = countParams(model);
    model.dispose();
    return {
      quick: true,
      accuracy: report.accuracy,
      testLoss: report.loss,
      perClassAccuracy: report.perClassAccuracy,
      confusionMatrix: report.confusionMatrix,
      confidentMistakes: report.mistakes,
      testImages: report.count,
      params,
      backend: backendInfo()?.name ?? 'unknown',
      dataDir: job.dataDir,
      seconds: (performance.now() - started) / 1000,
    };
  }
  const vae = await loadVae(job.modelDir);
  const prior = await loadClassPriors(job.modelDir);
  const judge = await loadJudge(job.judgeDir);
  const subset = firstImages(test, QUICK_VAE.testImages);
  const assessment = await assessVae(vae, judge, subset, {
    nPerClass: QUICK_VAE.nPerClass,
    bestOf: QUICK_VAE.bestOf,
    filteredPerClass: QUICK_VAE.filteredPerClass,
    seed: QUICK_VAE.seed,
    temperature: 1,
    frechetSplits: QUICK_VAE.frechetSplits,
    prior,
  });
  return {
    quick: true,
    params: countParams(vae.combined),
    testImages: subset.count,
    backend: backendInfo()?.name ?? 'unknown',
    dataDir: job.dataDir,
    ...JSON.parse(JSON.stringify(assessment)),
    seconds: (performance.now() - started) / 1000,
  };
}
