import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCnn } from '../../helpers/models';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, tf } from '../../../server/ml/backend';
import { loadSplit, type DatasetSplit } from '../../../server/ml/data/fashionMnist';
import { saveLayersModel } from '../../../server/ml/models/storage';
import { buildVae, VaeArchSchema } from '../../../server/ml/models/vae';
import { featureExtractor, loadFeatureExtractor, perceptualDistance } from '../../../server/ml/models/perceptual';
import { createTask } from '../../../server/ml/training/tasks';
import { TrainingConfigSchema } from '../../../server/ml/training/config';
import { FIXTURE_DIR, tempDir } from '../data/fixture';
import { errorLines, runCliScript } from '../../helpers/cli';

const SMALL = { latent: 8, filters: [8, 16] as [number, number], fullRes: 0, dense: 64, klWarmupEpochs: 0 };

let train: DatasetSplit;
let tmp: { dir: string; remove: () => Promise<void> };
let cnnDir: string;
beforeAll(async () => {
  await initBackend();
  train = await loadSplit('train', FIXTURE_DIR);
  tmp = await tempDir();
  cnnDir = path.join(tmp.dir, 'cnn');
  await saveLayersModel(await tinyCnn(5), cnnDir);
});
afterAll(() => tmp.remove());

const batchOf = (start: number, size: number) => ({
  images: Float32Array.from(train.images.subarray(start * 784, (start + size) * 784), (v) => v / 255),
  labels: train.labels.subarray(start, start + size),
  size,
});

describe('perceptual loss', () => {
  it("reads a garment CNN's first two conv stages, frozen; zero distance for the same images, more for changed ones", async () => {
    const features = await loadFeatureExtractor(cnnDir);
    expect(features.trainable).toBe(false);
    expect(features.outputs.map((o) => o.shape)).toEqual([
      [null, 28, 28, 4],
      [null, 14, 14, 8],
    ]);
    const [same, near, far] = tf.tidy(() => {
      const x = tf.tensor4d(batchOf(0, 4).images, [4, 28, 28, 1]);
      return [x, tf.clipByValue(tf.add(x, 0.05), 0, 1), tf.sub(1, x)].map(
        (y) => perceptualDistance(features, x, y).arraySync() as number[],
      );
    });
    expect(same).toEqual([0, 0, 0, 0]);
    near!.forEach((d, i) => {
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThan(far![i]!);
    });
  });

  it('matches the third (7x7) conv stage too when asked, and no stage that is not there', async () => {
    const three = await loadFeatureExtractor(cnnDir, 3);
    expect(three.outputs.map((o) => o.shape)).toEqual([
      [null, 28, 28, 4],
      [null, 14, 14, 8],
      [null, 7, 7, 8],
    ]);
    expect(VaeArchSchema.parse({}).perceptualLayers).toBe(2);
    expect(VaeArchSchema.safeParse({ perceptualLayers: 4 }).success).toBe(false);
    expect(VaeArchSchema.safeParse({ perceptualLayers: 0 }).success).toBe(false);
  });

  it("refuses a network without the garment CNN's conv stages", () => {
    expect(() => featureExtractor(buildVae(SMALL, 1).decoder)).toThrow(/no layer bn1, bn2.*npm run train:cnn/);
  });

  it('adds to the training loss only when weighted, and trains the VAE, not the feature network', async () => {
    const cfg = (arch: Record<string, unknown>) => TrainingConfigSchema.parse({ task: 'vae', arch, seed: 3 });
    const plain = await createTask(cfg(SMALL));
    const weighted = await createTask(cfg({ ...SMALL, perceptualWeight: 2, perceptualModel: cnnDir }));
    const batch = batchOf(0, 8);
    const ctx = { epoch: 1, step: 0, stepsPerEpoch: 10 };
    const loss = (t: typeof plain) => tf.tidy(() => t.step(batch, ctx).loss.dataSync()[0]!);
    expect(loss(weighted)).toBeGreaterThan(loss(plain) + 1);
    // Same VAE (same seed): the variables it optimizes are the VAE's alone.
    expect(weighted.variables().map((v) => v.shape)).toEqual(plain.variables().map((v) => v.shape));
    const { grads, value } = tf.variableGrads(() => weighted.step(batch, ctx).loss, weighted.variables());
    const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).dataSync()[0]!));
    expect(norms.every(Number.isFinite)).toBe(true);
    expect(norms.some((n) => n > 0)).toBe(true);
    tf.dispose([value, ...Object.values(grads)] as tfTypes.Tensor[]);
  });

  it('needs a model for its weight: a schema error, and a one-line CLI error for a missing folder', async () => {
    expect(VaeArchSchema.safeParse({ perceptualWeight: 1 }).success).toBe(false);
    expect(VaeArchSchema.safeParse({ perceptualWeight: 0 }).success).toBe(true);
    const r = await runCliScript('train-vae', [
      '--epochs',
      '1',
      '--perceptual',
      '1',
      '--perceptual-model',
      path.join(tmp.dir, 'none'),
      '--out',
      path.join(tmp.dir, 'out'),
    ]);
    expect(r.code).toBe(1);
    const errors = errorLines(r.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/No model at .*none/);
  }, 60_000);
});
