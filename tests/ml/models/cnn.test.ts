/**
 * The garment CNN: shapes and size, a falling loss over a few steps on real images, saving and
 * loading a model folder, clear errors for broken folders, and the committed model's accuracy.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCnn } from '../../helpers/models';
import { initBackend, tf } from '../../../server/ml/backend';
import { evaluateClassifier, imagesToTensor } from '../../../server/ml/models/classifier';
import { loadSplit, type DatasetSplit } from '../../../server/ml/data/fashionMnist';
import { buildCnn, withMirrorAveraging, withoutMirrorAveraging } from '../../../server/ml/models/cnn';
import { judgeFromClassifier } from '../../../server/ml/models/judge';
import { countParams, loadLayersModel, saveLayersModel } from '../../../server/ml/models/storage';
import { CnnTask } from '../../../server/ml/training/cnnTask';

const FIXTURE = 'tests/fixtures/fashion-mnist';
let train: DatasetSplit;
let test: DatasetSplit;
const tmp = await mkdtemp(path.join(os.tmpdir(), 'fmp-cnn-'));

beforeAll(async () => {
  await initBackend();
  train = await loadSplit('train', FIXTURE);
  test = await loadSplit('test', FIXTURE);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('garment CNN', () => {
  it('maps [n,28,28,1] images to 10 logits and stays under 0.7 M parameters', () => {
    const model = buildCnn();
    const y = model.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor;
    expect(y.shape).toEqual([3, 10]);
    expect(countParams(model)).toBeLessThan(700_000);
    expect(model.getLayer('features').outputShape).toEqual([null, 256]);
    y.dispose();
  });

  it('its loss falls over a few Adam steps on real images', () => {
    const task = new CnnTask({ filters: [8, 16, 16], dense: 32, dropout: 0 }, 7);
    const optimizer = tf.train.adam(0.01);
    const n = 64;
    const images = Float32Array.from(train.images.subarray(0, n * 784), (v) => v / 255);
    const labels = train.labels.slice(0, n);
    const losses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { value, grads } = tf.variableGrads(() => task.step({ images, labels, size: n }).loss, task.variables());
      losses.push(value.dataSync()[0]!);
      optimizer.applyGradients(task.variables().map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.6);
  });

  it('saves and loads a model folder with identical predictions', async () => {
    const model = await tinyCnn(3);
    const dir = path.join(tmp, 'saved');
    await saveLayersModel(model, dir);
    const loaded = await loadLayersModel(dir);
    const x = imagesToTensor(test.images, 0, 4);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('averages over mirror images in one model: logits of an image and its mirror, the judge features, save and load', async () => {
    const base = await tinyCnn(4);
    const model = withMirrorAveraging(base);
    const x = imagesToTensor(test.images, 0, 6);
    const expected = tf.tidy(() =>
      tf.div(tf.add(base.predict(x) as tf.Tensor, base.predict(tf.reverse(x, 2)) as tf.Tensor), 2),
    );
    const got = model.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-4);
    // Not the base model's answer (the mirror matters), and a mirrored image gets the same answer.
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, base.predict(x) as tf.Tensor))).dataSync()[0]!)).toBeGreaterThan(
      1e-3,
    );
    const ofMirror = model.predict(tf.reverse(x, 2)) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ofMirror, got))).dataSync()[0]!)).toBeLessThan(1e-4);
    expect(countParams(model)).toBe(countParams(base));
    // The judge reads 'features': the average of the two penultimate activations.
    const judge = judgeFromClassifier(model);
    expect(judge.featureSize).toBe(16);
    const dir = path.join(tmp, 'mirrored');
    await saveLayersModel(model, dir);
    const loaded = await loadLayersModel(dir);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(got.dataSync()));
    expect(() => withMirrorAveraging(loaded)).toThrow(/already averages/);
    // The network alone inside it answers exactly as the base model does.
    const bare = withoutMirrorAveraging(loaded);
    const fromBase = (base.predict(x) as tf.Tensor).dataSync();
    const fromBare = (bare.predict(x) as tf.Tensor).dataSync();
    expect(Math.max(...Array.from(fromBare, (v, i) => Math.abs(v - fromBase[i]!)))).toBeLessThan(1e-5);
    expect(() => withoutMirrorAveraging(base)).toThrow(/does not average/);
    expect(() => withMirrorAveraging(buildCnn({ variant: 'reference-small' }))).toThrow(/not a garment classifier/);
  });

  it('names the problem of a missing or corrupt model folder', async () => {
    await expect(loadLayersModel(path.join(tmp, 'nothing'))).rejects.toThrow(
      /No model at .*train one with npm run train:cnn/,
    );
    const dir = path.join(tmp, 'corrupt');
    await saveLayersModel(await tinyCnn(), dir);
    await writeFile(path.join(dir, 'weights.bin'), Buffer.alloc(100));
    await expect(loadLayersModel(dir)).rejects.toThrow(/weights of model .* are corrupt/);
    await writeFile(path.join(dir, 'model.json'), '{not json');
    await expect(loadLayersModel(dir)).rejects.toThrow(/not valid JSON/);
  });

  it('the committed models/cnn scores at least 90 % on the committed test subset', async () => {
    const model = await loadLayersModel('models/cnn');
    const report = await evaluateClassifier(model, test.images, test.labels);
    expect(report.count).toBe(1000);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
