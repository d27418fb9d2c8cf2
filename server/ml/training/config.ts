/**
 * Hyperparameters of a training run, one schema for the CLI, the live sessions and the log.
 */
import { z } from 'zod';

export const TrainingConfigSchema = z.object({
  task: z.enum(['cnn', 'vae']).default('cnn'),
  epochs: z.number().int().min(1).max(500).default(20),
  batchSize: z.number().int().min(8).max(1024).default(128),
  lr: z.number().gt(0).max(1).default(0.002),
  /** cosine: linear warm-up for `warmupEpochs`, then cosine decay to 1 % of lr at the last epoch */
  lrSchedule: z.enum(['cosine', 'constant']).default('cosine'),
  warmupEpochs: z.number().min(0).max(50).default(1),
  seed: z
    .number()
    .int()
    // tfjs takes a seed of 0 as "no seed": a run with seed 0 would start from random weights.
    .min(1, 'The seed must be at least 1 (tfjs treats a seed of 0 as no seed).')
    .max(2 ** 31 - 1)
    .default(42),
  /** data-parallel worker threads; each holds a replica and takes 1/replicas of every batch */
  replicas: z.number().int().min(1).max(16).default(1),
  /** train on the first N images of a seeded shuffle (a session can then take minutes, not hours) */
  trainLimit: z.number().int().min(1).optional(),
  testLimit: z.number().int().min(1).optional(),
  augment: z.boolean().default(true),
  /** largest random shift, in pixels, of the augmentation (with a horizontal mirror) */
  maxShift: z.number().int().min(0).max(4).default(2),
  /**
   * Share of training images replaced by a synthetic outline drawing of themselves (sketchify), so
   * the classifier also recognizes what people draw; 0 trains on photos only.
   */
  sketchFraction: z.number().min(0).max(1).default(0),
  /** Test images turned into drawings for the per-epoch drawing accuracy (0: none). */
  drawingEvalCount: z.number().int().min(0).max(10000).default(0),
  arch: z.record(z.string(), z.unknown()).default({}),
  /**
   * The last N images of the training set (fixed, not shuffled: the same images in every run) are
   * held out as a validation set: they are never trained on, every epoch is scored on them, and the
   * saved model is the epoch (or weight average) with the best validation accuracy. 0: no hold-out,
   * epochs are scored on the test set and the last epoch is saved.
   */
  validationCount: z.number().int().min(0).max(30000).default(0),
  /** label smoothing of the classifier's cross-entropy (0: none) */
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  /** probability of random erasing (a random rectangle of 2-25 % of the image set to noise) per training image */
  eraseProb: z.number().min(0).max(1).default(0),
  /**
   * decay per step of an exponential moving average of the weights (e.g. 0.998), scored every epoch
   * beside the trained weights; 0: none. With a validation set the better of the two can be saved.
   */
  ema: z.number().min(0).max(0.99999).default(0),
  /**
   * Knowledge distillation (CNN): classifier folders whose averaged, softened answers the network
   * also learns from, with this weight (0: none) at this temperature: the loss is
   * (1 - w) * cross-entropy(labels) + w * T^2 * KL(teachers' softmax(z / T) || softmax(z / T)).
   */
  teachers: z.array(z.string().min(1)).max(4).default([]),
  distillWeight: z.number().min(0).max(1).default(0),
  distillTemperature: z.number().gt(0).max(20).default(4),
  /**
   * VAE with a validation set: a classifier folder (e.g. models/cnn, which must have held out the
   * same images) in whose features every epoch also measures the Fréchet ratio of the decoder's
   * reconstructions (and of plain samples) to the validation images, as `assess` does; the run then
   * saves the weights with the lowest reconstruction ratio instead of the best validation ELBO.
   */
  frechetJudge: z.string().min(1).optional(),
  /** folder with the IDX files; unset: the usual resolution order */
  dataDir: z.string().optional(),
  /** where the final model and its training-log.json go */
  outDir: z.string().optional(),
  /** where per-epoch checkpoints go; a run with the same config resumes from it */
  checkpointDir: z.string().optional(),
  resume: z.boolean().default(true),
  /**
   * where the task's per-epoch snapshot goes (`<dir>/epoch-<n>`, n = epochs done; the last two
   * are kept), written before the epoch's event so a listener may use it at once (live sessions
   * generate voting candidates from it)
   */
  snapshotDir: z.string().optional(),
  /**
   * a VAE folder whose encoder and decoder weights start the run (fine-tuning, e.g. with a new
   * critic); unset: fresh weights from the seed. A checkpoint, when resumed, takes precedence.
   */
  initFrom: z.string().min(1).optional(),
  /** upper bound of per-batch events per second (they are volatile for viewers) */
  batchEventsPerSecond: z.number().min(0.1).max(100).default(10),
  /** the command line (or session) that started the run, for the log */
  command: z.string().default(''),
});
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof TrainingConfigSchema>;

/** The learning rate at a step: the schedule, which resume reproduces exactly. */
export function scheduledLearningRate(cfg: TrainingConfig, epoch: number, step: number, stepsPerEpoch: number): number {
  if (cfg.lrSchedule === 'constant') return cfg.lr;
  const t = epoch + step / stepsPerEpoch;
  if (t < cfg.warmupEpochs) return cfg.lr * Math.max(0.05, t / cfg.warmupEpochs);
  const span = Math.max(1e-9, cfg.epochs - cfg.warmupEpochs);
  const progress = Math.min(1, (t - cfg.warmupEpochs) / span);
  const floor = 0.01;
  return cfg.lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * The fields that must match for a checkpoint to be resumed. `epochs` may change: a run can be
 * lengthened or cut short, and the schedule continues from where it is, over the new length.
 */
export function resumeKey(cfg: TrainingConfig): string {
  // In this order: a key is compared as text with the keys stored in earlier checkpoints.
  const fields = [
    'task',
    'batchSize',
    'lr',
    'lrSchedule',
    'warmupEpochs',
    'seed',
    'trainLimit',
    'augment',
    'maxShift',
    'arch',
    'sketchFraction',
    'initFrom',
  ] as const;
  // initFrom and the later fields are left out of the JSON when unset (or 0), so keys of runs from before them still match.
  const later = (['validationCount', 'labelSmoothing', 'eraseProb', 'ema'] as const).filter((k) => cfg[k] !== 0);
  const distillation = cfg.distillWeight > 0 ? (['teachers', 'distillWeight', 'distillTemperature'] as const) : [];
  const judged = cfg.frechetJudge ? (['frechetJudge'] as const) : [];
  return JSON.stringify(Object.fromEntries([...fields, ...later, ...distillation, ...judged].map((k) => [k, cfg[k]])));
}
