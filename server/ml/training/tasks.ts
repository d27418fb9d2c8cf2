/** Which task a config trains; the one switch between model kinds. */
import type * as tfTypes from '@tensorflow/tfjs';
import { CnnTask } from './cnnTask';
import { VaeTask } from './vaeTask';
import { loadVae, sameWeightShapes, VaeArchSchema } from '../models/vae';
import { loadFeatureExtractor } from '../models/perceptual';
import { loadLayersModel } from '../models/storage';
import { loadJudge } from '../models/judge';
import { heldOutCountOf, validationSplitText } from './heldOut';
import type { TrainingConfig } from './config';
import type { TrainingTask } from './task';

/**
 * `evaluates: false` (a replica that only computes gradients) skips what only the evaluation uses:
 * the Fréchet judge is then checked but not loaded.
 */
export async function createTask(
  cfg: TrainingConfig,
  model?: tfTypes.LayersModel,
  { evaluates = true }: { evaluates?: boolean } = {},
): Promise<TrainingTask> {
  switch (cfg.task) {
    case 'cnn':
      if (cfg.initFrom) throw new Error('initFrom starts a VAE from a trained one; a CNN run has no such option');
      if (cfg.frechetJudge) throw new Error('frechetJudge measures a VAE; a CNN run has no such option');
      return new CnnTask(cfg.arch, cfg.seed, model, {
        labelSmoothing: cfg.labelSmoothing,
        ...(cfg.distillWeight > 0
          ? {
              distillation: {
                teachers: await Promise.all(cfg.teachers.map((dir) => loadLayersModel(dir))),
                weight: cfg.distillWeight,
                temperature: cfg.distillTemperature,
              },
            }
          : {}),
      });
    case 'vae': {
      const arch = VaeArchSchema.parse(cfg.arch);
      const features =
        arch.perceptualWeight > 0
          ? await loadFeatureExtractor(arch.perceptualModel!, arch.perceptualLayers)
          : undefined;
      if (cfg.frechetJudge && cfg.validationCount === 0)
        throw new Error('frechetJudge measures against the validation images: it needs validationCount > 0');
      // Features of images the judge trained on would flatter the real side: it must have held out exactly these.
      if (cfg.frechetJudge && (await heldOutCountOf(cfg.frechetJudge)) !== cfg.validationCount)
        throw new Error(
          `frechetJudge ${cfg.frechetJudge} did not hold out exactly ${validationSplitText(cfg.validationCount)} (its training-log.json)`,
        );
      const judge = cfg.frechetJudge && evaluates ? await loadJudge(cfg.frechetJudge) : undefined;
      const task = new VaeTask(cfg.arch, cfg.seed, model, features, judge);
      if (cfg.initFrom && !model) await initialiseVae(task, cfg.initFrom);
      return task;
    }
  }
}

/**
 * Copies a trained VAE's encoder and decoder weights into a fresh task (whose critic, if any, keeps
 * its seeded initial weights): fine-tuning. The architectures must match layer for layer.
 */
async function initialiseVae(task: VaeTask, dir: string): Promise<void> {
  const trained = await loadVae(dir);
  for (const part of ['encoder', 'decoder'] as const) {
    if (!sameWeightShapes(trained[part], task.vae[part]))
      throw new Error(
        `the VAE in ${dir} has a different ${part} from this run's architecture: start from a VAE trained with the same --latent, --full-res and --res-blocks`,
      );
    task.vae[part].setWeights(trained[part].getWeights());
  }
  trained.combined.dispose();
}
