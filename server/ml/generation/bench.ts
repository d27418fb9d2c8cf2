/**
 * The VAE's benchmark figures for `npm run bench:ml`: training images/s of the committed VAE
 * architecture and loss through the real training loop (one worker, and one per core), the same
 * without each of its auxiliary losses — the perceptual loss and the adversarial critic (the ratio
 * is that loss's cost) — and the time to
 * generate and judge 100 candidates (one quality-guided draw). Weights do not change the timing,
 * so freshly built networks stand in when no trained model is at hand.
 */
import os from 'node:os';
import { judgeFromClassifier } from '../models/judge';
import { buildCnn } from '../models/cnn';
import { buildVae, VaeArchSchema } from '../models/vae';
import { countParams } from '../models/storage';
import { loadFeatureExtractor } from '../models/perceptual';
import { measureTrainingSpeed, quantile } from '../training/speed';
import { qualityGuided } from './select';

export interface VaeBenchmarks {
  /** the generative model's parameters (the combined model's, less a critic's) */
  params: number;
  /** the adversarial critic's parameters, trained beside it and not saved with the model */
  criticParams?: number;
  /** weights of the frozen feature network of the perceptual loss (batch-norm statistics included), when it has one */
  featureParams?: number;
  batchSize: number;
  /** median training images/s keyed by worker count */
  trainImagesPerSec: Record<string, number>;
  /** the same without the perceptual loss, when the architecture has one */
  trainImagesPerSecWithoutPerceptual?: Record<string, number>;
  /** the same without the adversarial critic, when the architecture has one */
  trainImagesPerSecWithoutCritic?: Record<string, number>;
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
  const parsed = VaeArchSchema.parse(arch);
  const perceptual = parsed.perceptualWeight > 0;
  const critic = parsed.adversarialWeight > 0;
  const speeds = async (a: Record<string, unknown>, label: string): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const replicas of [...new Set([1, os.availableParallelism()])]) {
      out[String(replicas)] = Math.round(
        await measureTrainingSpeed({ task: 'vae', arch: a, batchSize, replicas, augment: false }, steps),
      );
      say(`train conditional VAE${label}, ${replicas} worker(s): ${out[String(replicas)]} img/s`);
    }
    return out;
  };
  const extras = [perceptual ? 'its perceptual loss' : '', critic ? 'its adversarial critic' : '']
    .filter(Boolean)
    .join(' and ');
  const trainImagesPerSec = await speeds(arch, extras ? ` (committed: with ${extras})` : '');
  const trainImagesPerSecWithoutPerceptual = perceptual
    ? await speeds({ ...arch, perceptualWeight: 0 }, ' without the perceptual loss')
    : undefined;
  const trainImagesPerSecWithoutCritic = critic
    ? await speeds({ ...arch, adversarialWeight: 0 }, ' without the adversarial critic')
    : undefined;
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
  const criticParams = vae.critic ? countParams(vae.critic) : undefined;
  const features = perceptual
    ? await loadFeatureExtractor(parsed.perceptualModel!, parsed.perceptualLayers)
    : undefined;
  const featureParams = features?.weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  return {
    params: countParams(vae.combined) - (criticParams ?? 0),
    ...(criticParams ? { criticParams } : {}),
    ...(featureParams ? { featureParams } : {}),
    batchSize,
    trainImagesPerSec,
    trainImagesPerSecWithoutPerceptual,
    trainImagesPerSecWithoutCritic,
    generateAndJudge100Ms,
  };
}
