/** Which task a config trains; the one switch between model kinds. */
import type * as tfTypes from '@tensorflow/tfjs';
import { CnnTask } from './cnnTask';
import { VaeTask } from './vaeTask';
import type { TrainingConfig } from './config';
import type { TrainingTask } from './task';

export function createTask(cfg: TrainingConfig, model?: tfTypes.LayersModel): TrainingTask {
  switch (cfg.task) {
    case 'cnn':
      return new CnnTask(cfg.arch, cfg.seed, model);
    case 'vae':
      return new VaeTask(cfg.arch, cfg.seed, model);
  }
}
