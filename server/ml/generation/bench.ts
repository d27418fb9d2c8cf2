/**
 * The VAE's benchmark figures for `npm run bench:ml`: training images/s of the committed VAE
 * architecture and loss through the real training loop (one worker, and one per core), the same
 * without its perceptual loss (the ratio is that loss's cost), and the time to
 * generate and judge 100 candidates (one quality-guided draw). Weights do not change the timing,
 * so freshly built networks stand in when no trained model is at hand.
 */
import os from 'node:os';
import { judgeFromClassifier } from '../assessment/judge';
import { buildCnn } from '../models/cnn';
import { buildVae, VaeArchSchema } from '../models/vae';
import { countParams } from '../models/storage';
import { measureTrainingSpeed, quantile } from '../training/speed';
import { qualityGuided } from './select';

export interface VaeBenchmarks {
  params: number;
  batchSize: number;
  /** median training images/s keyed by worker count */
  trainImagesPerSec: Record<string, number>;
  /** the same without the perceptual loss, when the architecture has one */
  trainImagesPerSecWithoutPerceptual?: Record<string, number>;
  /** median milliseconds to decode 100 candidates, judge them and keep the best 10 */
  generateAndJudge100Ms: number;
}

/** Call after initBackend(). */
export async function vaeBenchmarks(
  options: { steps?: number; batchSize?: number; arch?: Record<string, unknown>; say?: (s: string) => void } = {},
): Promise<VaeBenchmarks> {
  const steps = options.steps ?? 20;
  const batchSize = options.batchSize ?? 128;
  const say = options.say ?? (() => undefined);
  const arch = options.arch ?? {};
  const perceptual = VaeArchSchema.parse(arch).perceptualWeight > 0;
  const speeds = async (a: Record<string, unknown>, label: string): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const replicas of [...new Set([1, os.availableParallelism()])]) {
      out[String(replicas)] = Math.round(await measureTrainingSpeed({ task: 'vae', arch: a, batchSize, replicas, augment: false }, steps));
      say(`train conditional VAE${label}, ${replicas} worker(s): ${out[String(replicas)]} img/s`);
    }
    return out;
  };
  const trainImagesPerSec = await speeds(arch, perceptual ? ' (committed: with its perceptual loss)' : '');
  const trainImagesPerSecWithoutPerceptual = perceptual ? await speeds({ ...arch, perceptualWeight: 0 }, ' without the perceptual loss') : undefined;
  const vae = buildVae(arch, 1);
  const judge = judgeFromClassifier(buildCnn({}, 1));
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    qualityGuided(vae.decoder, judge, i % 10, { k: 10, candidates: 100, seed: i });
    if (i > 0) times.push(performance.now() - t0); // the first call builds the kernels
  }
  const generateAndJudge100Ms = Math.round(quantile(times, 0.5));
  say(`generate + judge 100 candidates, keep 10: ${generateAndJudge100Ms} ms`);
  return { params: countParams(vae.combined), batchSize, trainImagesPerSec, trainImagesPerSecWithoutPerceptual, generateAndJudge100Ms };
}
