/**
 * From what a session's creator chose (SessionConfig, protocol) to what the training loop runs
 * (TrainingConfig), and the CNN's fixed probe images every epoch reports predictions on. Sessions
 * train on one worker thread (one core), so several sessions and the socket thread share the
 * machine; the probe images are the same test images the training worker evaluates.
 */
import path from 'node:path';
import { env } from '../../env';
import { UserFacingError } from '../../errors';
import { ADVERSARIAL_WEIGHT } from '../../ml/models/critic';
import { PERCEPTUAL_LAYERS, PERCEPTUAL_MODEL, PERCEPTUAL_WEIGHT } from '../../ml/models/perceptual';
import { loadSplit, resolveDataDir, seededSubset } from '../../ml/data/fashionMnist';
import { encodeGreyPng, pngDataUrl } from '../../ml/image';
import { PROBE_COUNT } from '../../ml/training/cnnTask';
import { TrainingConfigSchema, type TrainingConfig } from '../../ml/training/config';
import type { SessionConfig, SessionKind } from '../../../lib/protocol';
import { imageAt } from '../../../lib/image';

export const SESSION_SEED = 42;

/** Test images each epoch is evaluated on: enough for a stable figure, few enough to be quick. */
export const DEFAULT_TEST_LIMIT: Record<SessionKind, number> = { cnn: 1000, vae: 500 };

export interface SessionTrainingPaths {
  sessionId: string;
  /** Folder with the IDX files; unset: the usual resolution. */
  dataDir?: string;
  /** Where the trained model goes. */
  outDir: string;
  testLimit: number;
}

export function trainingConfigFor(config: SessionConfig, paths: SessionTrainingPaths): TrainingConfig {
  const tasks = TrainingConfigSchema.shape.task.unwrap().options as readonly string[];
  if (!tasks.includes(config.kind)) {
    throw new UserFacingError(
      `This server cannot train a ${config.kind.toUpperCase()} yet; create a CNN session instead.`,
    );
  }
  return TrainingConfigSchema.parse({
    task: config.kind,
    epochs: config.epochs,
    batchSize: config.batchSize,
    lr: config.lr,
    lrSchedule: config.lrSchedule,
    // A short warm-up keeps Adam from overshooting at the start; short sessions get a shorter one.
    warmupEpochs: Math.min(1, config.epochs / 4),
    seed: SESSION_SEED,
    replicas: 1,
    trainLimit: config.trainLimit,
    testLimit: paths.testLimit,
    augment: config.kind === 'cnn',
    arch: config.kind === 'vae' ? vaeArch(config) : {},
    dataDir: paths.dataDir,
    outDir: paths.outDir,
    // The VAE's per-epoch snapshot is what the session's voting rounds generate from.
    ...(config.kind === 'vae' ? { snapshotDir: snapshotDirOf(paths.outDir) } : {}),
    batchEventsPerSecond: 10,
    command: `training session ${paths.sessionId}: "${config.name}"`,
  });
}

/** Where a session's per-epoch snapshots go: beside its model folder. */
export function snapshotDirOf(outDir: string): string {
  return path.join(path.dirname(outDir), 'snapshots');
}

/** A session's VAE: the committed model's architecture and loss, with the creator's beta. */
function vaeArch(config: SessionConfig): Record<string, unknown> {
  return {
    beta: config.beta,
    ...(config.perceptual
      ? {
          perceptualWeight: PERCEPTUAL_WEIGHT,
          perceptualModel: path.join(env.MODELS_DIR, PERCEPTUAL_MODEL),
          perceptualLayers: PERCEPTUAL_LAYERS,
        }
      : {}),
    ...(config.adversarial ? { adversarialWeight: ADVERSARIAL_WEIGHT } : {}),
  };
}

const probeCache = new Map<string, Promise<string[]>>();

/**
 * The probe images (PNG data URLs) of a CNN session: the first PROBE_COUNT images of the test
 * subset the worker evaluates (`seededSubset` with seed + 1, as in replica.ts).
 */
export function probeImages(cfg: Pick<TrainingConfig, 'dataDir' | 'testLimit' | 'seed'>): Promise<string[]> {
  const key = `${cfg.dataDir ?? ''}|${cfg.testLimit ?? ''}|${cfg.seed}`;
  let found = probeCache.get(key);
  if (!found) {
    found = (async () => {
      const all = await loadSplit('test', cfg.dataDir ?? resolveDataDir('test').dir);
      const test = seededSubset(all, cfg.testLimit, cfg.seed + 1);
      const n = Math.min(PROBE_COUNT, test.count);
      return Array.from({ length: n }, (_, i) => pngDataUrl(encodeGreyPng(imageAt(test.images, i), 28, 28)));
    })();
    found.catch(() => probeCache.delete(key));
    probeCache.set(key, found);
  }
  return found;
}
