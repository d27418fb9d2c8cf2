import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../../../server/ml/backend';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { buildCnn } from '../../../server/ml/models/cnn';
import { countParams, saveLayersModel } from '../../../server/ml/models/storage';
import { buildVae, loadVae, saveVae, splitVaeFolder } from '../../../server/ml/models/vae';
import { evaluateElbo, gaussianKl, klWeight, VaeTask } from '../../../server/ml/training/vaeTask';
import { VaeArchSchema } from '../../../server/ml/models/vae';
import { FIXTURE_DIR } from '../data/fixture';
import { withTrainingFixture } from '../data/trainingFixture';

/** A small VAE of the same structure, so a few dozen steps take seconds. */
const SMALL = { latent: 8, filters: [8, 16] as [number, number], fullRes: 8, dense: 64 };

const fx = withTrainingFixture();

describe('conditional VAE', () => {
  it('has 1-4 M parameters in its default architecture, encoder and decoder shapes as documented', () => {
    const vae = buildVae({}, 1);
    const params = countParams(vae.combined);
    expect(params).toBeGreaterThan(1_000_000);
    expect(params).toBeLessThan(4_000_000);
    expect(vae.latent).toBe(32);
    const small = buildVae(SMALL, 1);
    const out = tf.tidy(() => {
      const x = tf.zeros([3, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d([0, 5, 9], 'int32'), 10).toFloat();
      const [mean, logVar] = small.encoder.predict([x, y]) as tfTypes.Tensor[];
      const logits = small.decoder.predict([tf.zeros([3, 8]), y]) as tfTypes.Tensor;
      return [mean!.shape, logVar!.shape, logits.shape];
    });
    expect(out).toEqual([
      [3, 8],
      [3, 8],
      [3, 28, 28, 1],
    ]);
  });

  it('can draw at full resolution: a 28x28 decoder stage with its residual blocks, saved and loaded like any VAE', async () => {
    const plain = buildVae({ ...SMALL, fullRes: 0 }, 1);
    const full = buildVae({ ...SMALL, resBlocks: 1 }, 1);
    const names = full.decoder.layers.map((l) => l.name);
    expect(names).toContain('dec_up28');
    expect(names).toContain('dec_res28_0_conv');
    expect(plain.decoder.layers.map((l) => l.name)).not.toContain('dec_up28');
    expect(countParams(full.decoder)).toBeGreaterThan(countParams(plain.decoder));
    const dir = `${fx.tmp.dir}/fullres`;
    await saveVae(full, dir);
    const loaded = await loadVae(dir);
    const [a, b] = tf.tidy(() => {
      const z = tf.randomNormal([2, 8], 0, 1, 'float32', 3);
      const y = tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10).toFloat();
      return [full.decoder.predict([z, y]) as tfTypes.Tensor, loaded.decoder.predict([z, y]) as tfTypes.Tensor];
    });
    expect(a!.shape).toEqual([2, 28, 28, 1]);
    expect(Array.from(b!.dataSync())).toEqual(Array.from(a!.dataSync()));
    tf.dispose([a!, b!]);
  });

  it('learns a prior mean per class: the KL is measured from it, and training moves the classes apart', () => {
    // KL(N(m, s^2) || N(p, 1)) = 0.5 (s^2 + (m - p)^2 - 1 - ln s^2) per dimension, by hand:
    const kl = tf.tidy(
      () => gaussianKl(tf.tensor2d([[1, 0]]), tf.tensor2d([[Math.log(4), 0]]), tf.tensor2d([[3, 0]])).dataSync()[0]!,
    );
    expect(kl).toBeCloseTo(0.5 * (4 + 4 - 1 - Math.log(4)), 5);
    const standard = tf.tidy(() => gaussianKl(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 0]])).dataSync()[0]!);
    expect(standard).toBeCloseTo(0.5, 6);

    const task = new VaeTask({ ...SMALL, klWarmupEpochs: 0 }, 5);
    expect(task.vae.encoder.outputs).toHaveLength(3);
    const priorWeights = task.variables().filter((v) => v.name.includes('prior_mean'));
    expect(priorWeights).toHaveLength(1);
    expect(new VaeTask({ ...SMALL, prior: 'standard' }, 5).vae.encoder.outputs).toHaveLength(2);
    expect(Math.max(...Array.from(priorWeights[0]!.dataSync()).map(Math.abs))).toBe(0);
    const optimizer = tf.train.adam(0.01);
    const variables = task.variables();
    for (let step = 0; step < 10; step++) {
      const { value, grads } = tf.variableGrads(
        () => task.step(fx.batchOf(step * 32, 32), { epoch: 1, step, stepsPerEpoch: 10 }).loss,
        variables,
      );
      optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      tf.dispose([value, ...Object.values(grads)]);
    }
    // The class means left zero: each class now has its own region to sample from.
    expect(Math.max(...Array.from(priorWeights[0]!.dataSync()).map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('raises the KL weight linearly from its start over the warm-up epochs, then holds beta', () => {
    const arch = VaeArchSchema.parse({ beta: 2, klWarmupEpochs: 2, klWarmupStart: 0.5 });
    expect(klWeight(arch, { epoch: 0, step: 0, stepsPerEpoch: 10 })).toBe(1);
    expect(klWeight(arch, { epoch: 1, step: 0, stepsPerEpoch: 10 })).toBeCloseTo(1.5);
    expect(klWeight(arch, { epoch: 5, step: 3, stepsPerEpoch: 10 })).toBe(2);
    expect(klWeight(VaeArchSchema.parse({ klWarmupEpochs: 0 }), { epoch: 0, step: 0, stepsPerEpoch: 10 })).toBe(1);
  });

  it('lowers its loss (nats/image) over training steps on the committed subset', async () => {
    const task = new VaeTask({ ...SMALL, klWarmupEpochs: 0 }, 3);
    const optimizer = tf.train.adam(0.005);
    const variables = task.variables();
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const batch = fx.batchOf(step * 16, 16);
      const { value, grads } = tf.variableGrads(
        () => task.step(batch, { epoch: 1, step, stepsPerEpoch: 20 }).loss,
        variables,
      );
      optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      losses.push(value.dataSync()[0]!);
      tf.dispose([value, ...Object.values(grads)]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Bernoulli loss of an untrained decoder is ~543 nats (784 ln 2); it must clearly fall.
    expect(mean(losses.slice(0, 5))).toBeGreaterThan(500);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 60);
    const report = evaluateElbo(task.vae, fx.train.images.subarray(0, 200 * 784), fx.train.labels.subarray(0, 200));
    expect(report.elbo).toBeCloseTo(-(report.reconstruction + report.kl), 6);
    expect(report.kl).toBeGreaterThan(0);

    // The epoch evaluation viewers receive: the bound in nats and two PNG pictures.
    const test = await loadSplit('test', FIXTURE_DIR);
    const ev = await task.evaluate(test);
    expect(ev.headline).toBeCloseTo(-(ev.testElbo as number), 6);
    expect(ev.headlineUnit).toBe('nats/image');
    expect(ev.samples).toMatch(/^data:image\/png;base64,/);
    expect(ev.reconstructions).toMatch(/^data:image\/png;base64,/);
  }, 60_000);

  it('saves as encoder/ + decoder/, splits a combined training folder, and refuses a CNN folder', async () => {
    const vae = buildVae(SMALL, 4);
    const z = tf.tensor2d(
      Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)),
      [2, 8],
    );
    const y = tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10).toFloat();
    const expected = (vae.decoder.predict([z, y]) as tfTypes.Tensor).dataSync();

    await saveVae(vae, `${fx.tmp.dir}/split`);
    const loaded = await loadVae(`${fx.tmp.dir}/split`);
    expect(Array.from((loaded.decoder.predict([z, y]) as tfTypes.Tensor).dataSync())).toEqual(Array.from(expected));

    await saveLayersModel(vae.combined, `${fx.tmp.dir}/combined`);
    const split = await splitVaeFolder(`${fx.tmp.dir}/combined`);
    expect(split.latent).toBe(8);
    const again = await loadVae(`${fx.tmp.dir}/combined`);
    expect(Array.from((again.decoder.predict([z, y]) as tfTypes.Tensor).dataSync())).toEqual(Array.from(expected));

    await saveLayersModel(buildCnn({}, 1), `${fx.tmp.dir}/cnn`);
    await expect(loadVae(`${fx.tmp.dir}/cnn`)).rejects.toThrow(/garment classifier \(CNN\), not a conditional VAE/);
    await expect(loadVae(`${fx.tmp.dir}/nothing`)).rejects.toThrow(/No VAE at/);
  }, 30_000);
});
