/** Which task a config trains; the one switch between model kinds. */
import type * as tfTypes from '@tensorflow/tfjs';
import { CnnTask } from './cnnTask';
import { VaeTask } from './vaeTask';
import { VaeArchSchema } from '../models/vae';
import { loadFeatureExtractor } from '../models/perceptual';
import type { TrainingConfig } from './config';
import type { TrainingTask } from './task';

export async function createTask(cfg: TrainingConfig, model?: tfTypes.LayersModel): Promise<TrainingTask> {
  switch (cfg.task) {
    case 'cnn':
      return new CnnTask(cfg.arch, cfg.seed, model);
    case 'vae': {
      const arch = VaeArchSchema.parse(cfg.arch);
      const features = arch.perceptualWeight > 0 ? await loadFeatureExtractor(arch.perceptualModel!, arch.perceptualLayers) : undefined;
      return new VaeTask(cfg.arch, cfg.seed, model, features);
    }
  }
}
