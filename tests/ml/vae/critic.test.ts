import path from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../../../server/ml/backend';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { adversarialTerms, buildCritic, stopGradient } from '../../../server/ml/models/critic';
import { countParams, loadLayersModel, saveLayersModel } from '../../../server/ml/models/storage';
import { buildVae, loadVae, saveVae, splitCombined, splitVaeFolder } from '../../../server/ml/models/vae';
import { VaeTask } from '../../../server/ml/training/vaeTask';
import { createTask } from '../../../server/ml/training/tasks';
import { resumeKey, TrainingConfigSchema } from '../../../server/ml/training/config';
import { FIXTURE_DIR } from '../data/fixture';
import { withTrainingFixture } from '../data/trainingFixture';
import { errorLines, runCliScript } from '../../helpers/cli';

const SMALL = { latent: 8, filters: [8, 16] as [number, number], fullRes: 0, dense: 64, klWarmupEpochs: 0 };

const fx = withTrainingFixture();

const values = (grads: Record<string, tfTypes.Tensor>, names: string[]) =>
  names.map((n) => Array.from(grads[n]!.dataSync()));

describe('adversarial critic', () => {
  it('cuts the gradient and nothing else', () => {
    const x = tf.variable(tf.tensor1d([1, -2, 3]));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.add(tf.square(x), tf.square(stopGradient(x)))) as tfTypes.Scalar,
      [x],
    );
    expect(value.dataSync()[0]).toBeCloseTo(28, 5);
    expect(Array.from(grads[x.name]!.dataSync())).toEqual([2, -4, 6]); // from the first square only
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it("puts both players in one loss: the critic gets its own loss's gradient, the images the generator's", () => {
    const critic = buildCritic(3);
    const batch = fx.batchOf(0, 6);
    const real = tf.tensor4d(batch.images, [6, 28, 28, 1]);
    const fake = tf.variable(tf.clipByValue(tf.add(real, tf.randomNormal(real.shape, 0, 0.3, 'float32', 5)), 0, 1));
    const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10).toFloat();
    const criticVars = critic.trainableWeights.map((w) => w.read() as tfTypes.Variable);
    const names = criticVars.map((v) => v.name);
    const all = [...criticVars, fake];

    const both = tf.variableGrads(() => {
      const t = adversarialTerms(critic, real, fake, y);
      return tf.mean(tf.add(t.critic, tf.mul(5, t.generator))) as tfTypes.Scalar;
    }, all);
    const criticOnly = tf.variableGrads(
      () => tf.mean(adversarialTerms(critic, real, fake, y).critic) as tfTypes.Scalar,
      all,
    );
    const generatorOnly = tf.variableGrads(() => {
      const d = (critic.apply([fake, y]) as tfTypes.Tensor).reshape([-1]);
      return tf.mean(tf.softplus(tf.neg(d))) as tfTypes.Scalar;
    }, all);

    // The critic's gradient is its own loss's: the generator term's critic gradient cancels exactly.
    const a = values(both.grads, names).flat();
    const b = values(criticOnly.grads, names).flat();
    expect(a.some((v) => v !== 0)).toBe(true);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
    // The critic's loss does not reach the generated images; the generator's does, weighted by 5.
    expect(Array.from(criticOnly.grads[fake.name]!.dataSync()).every((v) => v === 0)).toBe(true);
    const g = Array.from(both.grads[fake.name]!.dataSync());
    const ref = Array.from(generatorOnly.grads[fake.name]!.dataSync());
    expect(ref.some((v) => v !== 0)).toBe(true);
    g.forEach((v, i) => expect(v).toBeCloseTo(5 * ref[i]!, 5));
    // The generator term itself is zero: the reported loss is the VAE's plus the critic's.
    const generatorValue = tf.tidy(() => Array.from(adversarialTerms(critic, real, fake, y).generator.dataSync()));
    expect(generatorValue.every((v) => Math.abs(v) < 1e-5)).toBe(true);
    critic.dispose();
    tf.dispose([
      real,
      fake,
      y,
      both.value,
      criticOnly.value,
      generatorOnly.value,
      ...Object.values(both.grads),
      ...Object.values(criticOnly.grads),
      ...Object.values(generatorOnly.grads),
    ]);
  });

  it('is part of the training model only when weighted; trained with the VAE it learns to tell reconstructions from real images', async () => {
    const plain = new VaeTask(SMALL, 2);
    const task = new VaeTask({ ...SMALL, adversarialWeight: 1 }, 2);
    expect(plain.vae.critic).toBeUndefined();
    expect(task.vae.critic).toBeDefined();
    const criticParams = countParams(task.vae.critic!);
    expect(criticParams).toBeGreaterThan(10_000);
    expect(countParams(task.model)).toBe(countParams(plain.model) + criticParams);
    expect(task.variables().length).toBe(plain.variables().length + task.vae.critic!.trainableWeights.length);

    const optimizer = tf.train.adam(0.002);
    const vars = task.variables();
    const ctx = (step: number) => ({ epoch: 1, step, stepsPerEpoch: 100 });
    for (let step = 0; step < 40; step++) {
      const batch = fx.batchOf((step * 16) % (fx.train.count - 16), 16);
      const { value, grads } = tf.variableGrads(() => task.step(batch, ctx(step)).loss, vars);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      tf.dispose([value, ...Object.values(grads)]);
    }
    const [realScore, fakeScore] = tf.tidy(() => {
      const batch = fx.batchOf(0, 64);
      const x = tf.tensor4d(batch.images, [64, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10).toFloat();
      const [mean] = task.vae.encoder.predict([x, y]) as tfTypes.Tensor[];
      const recon = tf.sigmoid(task.vae.decoder.predict([mean!, y]) as tfTypes.Tensor);
      const t = adversarialTerms(task.vae.critic!, x, recon, y);
      return [tf.mean(t.realScore).dataSync()[0]!, tf.mean(t.fakeScore).dataSync()[0]!];
    });
    expect(realScore).toBeGreaterThan(fakeScore! + 0.1);
    expect(() => new VaeTask({ ...SMALL, adversarialWeight: 1 }, 2, plain.model)).toThrow(
      /needs a model with a critic/,
    );
    expect(() => new VaeTask(SMALL, 2, task.model)).toThrow(/needs an adversarial weight/);
    // The epoch evaluation says how the critic scores test images and their reconstructions.
    const evaluation = await task.evaluate(await loadSplit('test', FIXTURE_DIR));
    expect(evaluation.criticRealScore).toBeGreaterThan(evaluation.criticReconstructionScore as number);
    expect((await plain.evaluate(await loadSplit('test', FIXTURE_DIR))).criticRealScore).toBeUndefined();
  }, 120_000);

  it('has the size the architecture asks for: one stride-2 convolution per --critic-filters entry, then the dense layer', () => {
    const small = buildVae({ ...SMALL, adversarialWeight: 1 }, 4).critic!;
    const deep = buildVae({ ...SMALL, adversarialWeight: 1, criticFilters: [8, 16, 32], criticDense: 32 }, 4).critic!;
    // 4x4 kernels; 28 -> 14 -> 7 -> 4; the flattened maps and the one-hot label feed the dense layer.
    const conv = (cin: number, cout: number) => 16 * cin * cout + cout;
    expect(countParams(small)).toBe(conv(1, 16) + conv(16, 32) + (7 * 7 * 32 + 10) * 64 + 64 + 65);
    expect(countParams(deep)).toBe(conv(1, 8) + conv(8, 16) + conv(16, 32) + (4 * 4 * 32 + 10) * 32 + 32 + 33);
    const out = deep.predict([
      tf.zeros([2, 28, 28, 1]),
      tf.oneHot(tf.tensor1d([0, 9], 'int32'), 10).toFloat(),
    ]) as tfTypes.Tensor;
    expect(out.shape).toEqual([2, 1]);
    tf.dispose([out]);
    small.dispose();
    deep.dispose();
  });

  it('fine-tunes a trained VAE with a new critic: --init-from copies encoder and decoder, the critic starts fresh, a different architecture is refused', async () => {
    const trained = buildVae(SMALL, 5);
    const dir = path.join(fx.tmp.dir, 'trained');
    await saveVae(trained, dir);
    const cfg = (arch: Record<string, unknown>, initFrom?: string) =>
      TrainingConfigSchema.parse({ task: 'vae', seed: 9, arch, ...(initFrom ? { initFrom } : {}) });
    const weights = (m: tfTypes.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const tuned = (await createTask(
      cfg({ ...SMALL, adversarialWeight: 1, criticFilters: [8, 16, 32] }, dir),
    )) as VaeTask;
    expect(weights(tuned.vae.encoder)).toEqual(weights(trained.encoder));
    expect(weights(tuned.vae.decoder)).toEqual(weights(trained.decoder));
    const fresh = (await createTask(cfg({ ...SMALL, adversarialWeight: 1, criticFilters: [8, 16, 32] }))) as VaeTask;
    expect(weights(fresh.vae.decoder)).not.toEqual(weights(trained.decoder));
    expect(weights(tuned.vae.critic!)).toEqual(weights(fresh.vae.critic!)); // the seed's, not trained
    await expect(createTask(cfg({ ...SMALL, latent: 12, adversarialWeight: 1 }, dir))).rejects.toThrow(
      /different encoder/,
    );
    // A checkpoint of a fine-tuning run is not resumed by a fresh one, and keys of older runs are unchanged.
    expect(resumeKey(cfg(SMALL, dir))).not.toBe(resumeKey(cfg(SMALL)));
    expect(resumeKey(cfg(SMALL))).not.toContain('initFrom');
    [trained, tuned.vae, fresh.vae].forEach((v) => v.combined.dispose());
  });

  it('is checkpointed with the VAE but left out of the saved VAE folder', async () => {
    const vae = buildVae({ ...SMALL, adversarialWeight: 0.5 }, 4);
    const dir = path.join(fx.tmp.dir, 'adv');
    await saveLayersModel(vae.combined, dir);
    const resumed = splitCombined(await loadLayersModel(dir));
    expect(resumed.critic).toBeDefined();
    expect(Array.from(resumed.critic!.getWeights()[0]!.dataSync())).toEqual(
      Array.from(vae.critic!.getWeights()[0]!.dataSync()),
    );
    await splitVaeFolder(dir);
    expect(existsSync(path.join(dir, 'decoder', 'model.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(false);
    const saved = await loadVae(dir);
    expect(saved.critic).toBeUndefined();
    expect(countParams(saved.combined)).toBe(countParams(vae.combined) - countParams(vae.critic!));
  });

  it.each([
    [['--adversarial', '-1'], /Invalid VAE option adversarialWeight/],
    [['--critic-filters', '16,0'], /Invalid VAE option criticFilters/],
    [['--critic-filters', '8,16,32,64'], /Invalid VAE option criticFilters/],
    [['--init-from', 'models/cnn'], /holds a garment classifier \(CNN\), not a conditional VAE/],
  ])(
    'refuses %j at the command line with one line',
    async (flags, message) => {
      const r = await runCliScript('train-vae', ['--epochs', '1', ...flags, '--out', path.join(fx.tmp.dir, 'out')]);
      expect(r.code).toBe(1);
      const errors = errorLines(r.stderr);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
    },
    60_000,
  );
});
