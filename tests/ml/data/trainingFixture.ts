/**
 * The training split of the committed subset, loaded once per test file with the backend, a temp
 * folder, and batches of it as the training tasks take them (floats in [0, 1]).
 *
 *   const fx = withTrainingFixture();
 *   task.step(fx.batchOf(0, 16), ...);
 */
import { afterAll, beforeAll } from 'vitest';
import { imagesFrom } from '../../../lib/image';
import { initBackend } from '../../../server/ml/backend';
import { loadSplit, type DatasetSplit } from '../../../server/ml/data/fashionMnist';
import { FIXTURE_DIR, tempDir } from './fixture';

export interface TrainingFixture {
  train: DatasetSplit;
  tmp: { dir: string; remove: () => Promise<void> };
  /** Images `start` to `start + size` of the training split as a task batch. */
  batchOf(start: number, size: number): { images: Float32Array; labels: Uint8Array; size: number };
}

export function withTrainingFixture(): TrainingFixture {
  const fx = {
    batchOf: (start: number, size: number) => ({
      images: Float32Array.from(imagesFrom(fx.train.images, start, size), (v) => v / 255),
      labels: fx.train.labels.subarray(start, start + size),
      size,
    }),
  } as TrainingFixture;
  beforeAll(async () => {
    await initBackend();
    fx.train = await loadSplit('train', FIXTURE_DIR);
    fx.tmp = await tempDir();
  });
  afterAll(() => fx.tmp?.remove());
  return fx;
}
