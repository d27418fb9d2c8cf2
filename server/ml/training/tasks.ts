/** Which task a config trains; the one switch between model kinds. */
import type * as tfTypes from '@tensorflow/tfjs';
import { UserFacingError } from '../../errors';
import { CnnTask } from './cnnTask';
import type { TrainingConfig } from './config';
import type { TrainingTask } from './task';

export function createTask(cfg: TrainingConfig, model?: tfTypes.LayersModel): TrainingTask {
  switch (cfg.task) {
    case 'cnn':
      return new CnnTask(cfg.arch, cfg.seed, model);
    case 'vae':
      throw new UserFacingError('The conditional VAE task is not available yet in this version of the trainer.');
  }
}
