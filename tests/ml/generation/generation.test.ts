import { beforeAll, describe, expect, it } from 'vitest';
import { tinyCnn } from '../../helpers/models';
import { initBackend } from '../../../server/ml/backend';
import { parseClass } from '../../../server/ml/data/fashionMnist';
import { judgeFromClassifier, type Judge } from '../../../server/ml/models/judge';
import { buildVae, type Vae } from '../../../server/ml/models/vae';
import { sample, sampleTrainedPrior, standardNormal } from '../../../server/ml/models/sample';
import { tf } from '../../../server/ml/backend';
import { qualityGuided, selectDiverse } from '../../../server/ml/generation/select';
import { renderRows, writeOutput } from '../../../server/ml/generation/render';
import { decodePng } from '../../../server/ml/image';
import { readFile, writeFile } from 'node:fs/promises';
import { FIXTURE_DIR, tempDir } from '../data/fixture';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { componentsFor, fitClassPriors, loadClassPriors, PRIOR_FILE } from '../../../server/ml/models/classPrior';

// Untrained but seeded networks: generation's contracts do not depend on how good the model is.
let vae: Vae;
let judge: Judge;
beforeAll(async () => {
  await initBackend();
  vae = buildVae({ latent: 8, filters: [8, 16], fullRes: 8, dense: 32 }, 2);
  judge = judgeFromClassifier(await tinyCnn(5));
});

describe('sampling', () => {
  it('is deterministic under a seed and differs between seeds', () => {
    const a = sample(vae.decoder, 3, 4, 11);
    const b = sample(vae.decoder, 3, 4, 11);
    const c = sample(vae.decoder, 3, 4, 12);
    expect(Array.from(a.images)).toEqual(Array.from(b.images));
    expect(Array.from(a.latents)).toEqual(Array.from(b.latents));
    expect(Array.from(a.latents)).not.toEqual(Array.from(c.latents));
    expect(a.images.length).toBe(4 * 784);
    expect(Math.min(...a.images)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.images)).toBeLessThanOrEqual(1);
    expect(Array.from(a.labels)).toEqual([3, 3, 3, 3]);
  });

  it('draws from the prior a class-prior VAE trained against, N(mu_y, I): the same noise shifted by its class means', () => {
    const layer = vae.encoder.getLayer('prior_mean');
    const [kernel] = layer.getWeights();
    const means = Float32Array.from({ length: kernel!.size }, (_, i) => (i % 7) - 3 + i / 100);
    layer.setWeights([tf.tensor2d(means, kernel!.shape as [number, number])]);
    const classes = [0, 4, 9, 4];
    const drawn = sampleTrainedPrior(vae.encoder, vae.decoder, classes, 11, 0.5)!;
    const noise = standardNormal(11, classes.length * 8);
    expect(Array.from(drawn.labels)).toEqual(classes);
    for (let i = 0; i < classes.length; i++)
      for (let d = 0; d < 8; d++)
        expect(drawn.latents[i * 8 + d]).toBeCloseTo(0.5 * noise[i * 8 + d]! + means[classes[i]! * 8 + d]!, 5);
    expect(drawn.images).toHaveLength(classes.length * 784);
    // a VAE trained against N(0, I) has no class means: there is no such draw
    const standard = buildVae({ latent: 8, filters: [8, 16], dense: 32, prior: 'standard' }, 2);
    expect(sampleTrainedPrior(standard.encoder, standard.decoder, classes, 11)).toBeUndefined();
    layer.setWeights([kernel!]);
  });

  it('draws standard-normal latents', () => {
    const z = standardNormal(5, 20000);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
  });

  it('accepts class names in any case and indices, and lists the valid ones otherwise', () => {
    expect(parseClass('dress')).toBe(3);
    expect(parseClass('Ankle boot')).toBe(9);
    expect(parseClass('ANKLE-BOOT')).toBe(9);
    expect(parseClass('3')).toBe(3);
    expect(() => parseClass('hat')).toThrow(/Unknown class "hat".*0 T-shirt\/top.*9 Ankle boot/);
    expect(() => parseClass('10')).toThrow(/does not exist/);
  });
});

describe('quality-guided selection', () => {
  it('best of N never has a lower judge confidence than best of 1 for the same seed', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const one = qualityGuided(vae.decoder, judge, 7, { k: 1, candidates: 1, seed });
      const many = qualityGuided(vae.decoder, judge, 7, { k: 1, candidates: 30, seed });
      expect(many.kept[0]!.confidence).toBeGreaterThanOrEqual(one.kept[0]!.confidence);
      // Why it holds: the pool's first candidate is the very sample best-of-1 draws.
      expect(Array.from(sample(vae.decoder, 7, 30, seed).latents.subarray(0, 8))).toEqual(
        Array.from(one.kept[0]!.latent),
      );
    }
  });

  it('keeps k samples with their latents and confidences, sorted by confidence when diversity is off', () => {
    const r = qualityGuided(vae.decoder, judge, 2, { k: 5, candidates: 40, seed: 9, diversity: 0 });
    expect(r.kept).toHaveLength(5);
    const conf = r.kept.map((s) => s.confidence);
    expect(conf).toEqual([...conf].sort((a, b) => b - a));
    for (const s of r.kept) {
      expect(s.latent).toHaveLength(8);
      expect(s.image).toHaveLength(784);
      expect(s.label).toBe(2);
    }
    expect(() => qualityGuided(vae.decoder, judge, 2, { k: 5, candidates: 4, seed: 1 })).toThrow(/candidates must be/);
    expect(() => qualityGuided(vae.decoder, judge, 2, { k: 0, candidates: 4, seed: 1 })).toThrow(/at least 1/);
  });

  it('skips near-duplicates, and fills up below the distance only when it must', () => {
    // Points on a line at 0, 0.1, 1, 2, 3; scores favour the near-duplicate pair.
    const features = Float32Array.from([0, 0.1, 1, 2, 3]);
    const scores = [0.9, 0.95, 0.5, 0.4, 0.3];
    expect(selectDiverse(scores, features, 1, 3, 0.5)).toEqual({ indices: [1, 2, 3], relaxed: 0 });
    expect(selectDiverse(scores, features, 1, 3, 0)).toEqual({ indices: [1, 0, 2], relaxed: 0 });
    expect(selectDiverse(scores, features, 1, 3, 10)).toEqual({ indices: [1, 0, 2], relaxed: 2 });
  });
});

describe('per-class latent priors', () => {
  it('are fitted per class from the encoder and move the sampled latents to that class', async () => {
    const train = await loadSplit('train', FIXTURE_DIR);
    const prior = fitClassPriors(vae.encoder, train);
    expect(prior.latent).toBe(8);
    expect(prior.classes).toHaveLength(10);
    const n = 4000;
    const s = sample(vae.decoder, 6, n, 1, 1, prior);
    const mean = Array.from(
      { length: 8 },
      (_, d) => s.latents.filter((_, i) => i % 8 === d).reduce((a, b) => a + b, 0) / n,
    );
    expect(prior.classes[6]!.components).toHaveLength(1);
    mean.forEach((m, d) => expect(m).toBeCloseTo(prior.classes[6]!.components[0]!.mean[d]!, 1));
    // Seeded: the same draw twice, and a different class gets different latents from the same noise.
    expect(Array.from(sample(vae.decoder, 6, 3, 1, 1, prior).latents)).toEqual(Array.from(s.latents.subarray(0, 24)));
    expect(Array.from(sample(vae.decoder, 2, 3, 1, 1, prior).latents)).not.toEqual(
      Array.from(s.latents.subarray(0, 24)),
    );
  });

  it('can be mixtures: samples follow the components by weight, and the first format still loads', async () => {
    const train = await loadSplit('train', FIXTURE_DIR);
    const prior = fitClassPriors(vae.encoder, train, { components: 3, seed: 7 });
    const { components } = prior.classes[6]!;
    expect(components).toHaveLength(3);
    expect(components.reduce((a, g) => a + g.weight, 0)).toBeCloseTo(1, 6);
    const n = 6000;
    const s = sample(vae.decoder, 6, n, 2, 1, prior);
    const mixtureMean = Array.from({ length: 8 }, (_, d) => components.reduce((a, g) => a + g.weight * g.mean[d]!, 0));
    const mean = Array.from(
      { length: 8 },
      (_, d) => s.latents.filter((_, i) => i % 8 === d).reduce((a, b) => a + b, 0) / n,
    );
    mean.forEach((m, d) => expect(m).toBeCloseTo(mixtureMean[d]!, 1));
    expect(Array.from(sample(vae.decoder, 6, 5, 2, 1, prior).latents)).toEqual(Array.from(s.latents.subarray(0, 40)));
    // A class with few images gets fewer components (300 images, latent 8: at most 16).
    expect([componentsFor(300, 8, 40), componentsFor(300, 8, 10), componentsFor(20, 32, 10)]).toEqual([16, 10, 1]);
    // Same data, seed and settings: the same fit.
    expect(fitClassPriors(vae.encoder, train, { components: 3, seed: 7 })).toEqual(prior);

    const tmp = await tempDir();
    const single = fitClassPriors(vae.encoder, train);
    const firstFormat = {
      ...single,
      classes: single.classes.map((c) => ({ mean: c.components[0]!.mean, cholesky: c.components[0]!.cholesky })),
    };
    await writeFile(`${tmp.dir}/${PRIOR_FILE}`, JSON.stringify(firstFormat));
    expect(await loadClassPriors(tmp.dir)).toEqual(single);
    await writeFile(`${tmp.dir}/${PRIOR_FILE}`, JSON.stringify({ ...single, classes: single.classes.slice(0, 9) }));
    await expect(loadClassPriors(tmp.dir)).rejects.toThrow(/not a valid latent prior file/);
    // Cut off mid-write, and a Gaussian of the wrong size (it would make NaN latents): the same refusal.
    await writeFile(`${tmp.dir}/${PRIOR_FILE}`, JSON.stringify(single).slice(0, 100));
    await expect(loadClassPriors(tmp.dir)).rejects.toThrow(/not a valid latent prior file \(not JSON: cut off\?\)/);
    const short = structuredClone(single);
    short.classes[4]!.components[0]!.mean.pop();
    await writeFile(`${tmp.dir}/${PRIOR_FILE}`, JSON.stringify(short));
    await expect(loadClassPriors(tmp.dir)).rejects.toThrow(/class 4's Gaussian 0 is not of 8 dimensions/);
    // A prior of another latent size than the decoder's: a sentence, not a RangeError.
    expect(() => sample(vae.decoder, 2, 1, 1, 1, { ...single, latent: 9 })).toThrow(
      /is for 9 dimensions, but the decoder has 8/,
    );
    await tmp.remove();
  }, 120_000);
});

describe('PNG output', () => {
  it('writes a captioned grid that decodes to the expected size', async () => {
    const tmp = await tempDir();
    const s = sample(vae.decoder, 5, 7, 3);
    const images = Array.from({ length: 7 }, (_, i) => s.images.slice(i * 784, (i + 1) * 784));
    const file = `${tmp.dir}/out/grid.png`;
    await writeOutput(
      file,
      renderRows(
        [
          { label: 5, images },
          { label: 8, images: images.slice(0, 2) },
        ],
        4,
        2,
      ),
    );
    const png = decodePng(await readFile(file));
    // 3 rows of 4 tiles of 56 px with 4 px padding; the caption column is left of the tiles.
    expect(png.height).toBe(4 + 3 * (56 + 4));
    const captionWidth = png.width - 4 - 4 * (56 + 4);
    expect(captionWidth).toBeGreaterThan('Sandal'.length * 12 - 4);
    await tmp.remove();
  });
});
