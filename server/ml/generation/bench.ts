/**
 * The VAE's benchmark figures for `npm run bench:ml`: training images/s of the committed VAE
 * architecture through the real training loop (one worker, and one per core), and the time to
 * generate and judge 100 candidates (one quality-guided draw). Weights do not change the timing,
 * so freshly built networks stand in when no trained model is at hand.
 */
import os from 'node:os';
import { judgeFromClassifier } from '../assessment/judge';
import { buildCnn } from '../models/cnn';
import { buildVae } from '../models/vae';
import { countParams } from '../models/storage';
import { measureTrainingSpeed, quantile } from '../training/speed';
import { qualityGuided } from './select';

export interface VaeBenchmarks {
  params: number;
  batchSize: number;
  /** median training images/s keyed by worker count */
  trainImagesPerSec: Record<string, number>;
  /** median milliseconds to decode 100 candidates, judge them and keep the best 10 */
  generateAndJudge100Ms: number;
}

/** Call after initBackend(). */
export async function vaeBenchmarks(options: { steps?: number; batchSize?: number; say?: (s: string) => void } = {}): Promise<VaeBenchmarks> {
  const steps = options.steps ?? 20;
  const batchSize = options.batchSize ?? 128;
  const say = options.say ?? (() => undefined);
  const trainImagesPerSec: Record<string, number> = {};
  for (const replicas of [...new Set([1, os.availableParallelism()])]) {
    trainImagesPerSec[String(replicas)] = Math.round(await measureTrainingSpeed({ task: 'vae', batchSize, replicas, augment: false }, steps));
    say(`train conditional VAE, ${replicas} worker(s): ${trainImagesPerSec[String(replicas)]} img/s`);
  }
  const vae = buildVae({}, 1);
  const judge = judgeFromClassifier(buildCnn({}, 1));
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    qualityGuided(vae.decoder, judge, i % 10, { k: 10, candidates: 100, seed: i });
    if (i > 0) times.push(performance.now() - t0); // the first call builds the kernels
  }
  const generateAndJudge100Ms = Math.round(quantile(times, 0.5));
  say(`generate + judge 100 candidates, keep 10: ${generateAndJudge100Ms} ms`);
  return { params: countParams(vae.combined), batchSize, trainImagesPerSec, generateAndJudge100Ms };
}
