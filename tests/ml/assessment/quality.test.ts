import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCnn } from '../../helpers/models';
import { initBackend } from '../../../server/ml/backend';
import { loadSplit, type DatasetSplit } from '../../../server/ml/data/fashionMnist';
import { judgeFromClassifier, type Judge } from '../../../server/ml/models/judge';
import { meanPairwiseDistance, precisionRecall } from '../../../server/ml/assessment/prd';
import { assessVae, realReference } from '../../../server/ml/assessment/quality';
import { assessmentChart } from '../../../server/ml/assessment/chart';
import {
  casOverRuns,
  classificationAccuracyScore,
  summarizeCas,
  writeGeneratedDataset,
  type CasResult,
} from '../../../server/ml/assessment/cas';
import { standardNormal } from '../../../server/ml/models/sample';
import { decodePng } from '../../../server/ml/image';
import { buildVae, type Vae } from '../../../server/ml/models/vae';
import { storeVaeAssessment } from '../../../server/ml/assessment/store';
import { listAssessments, openDb } from '../../../server/db';
import { createFreshPostgres } from '../../helpers/freshDatabase';
import { FIXTURE_DIR, tempDir } from '../data/fixture';

let test: DatasetSplit;
let vae: Vae;
let judge: Judge;
let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  test = await loadSplit('test', FIXTURE_DIR);
  vae = buildVae({ latent: 8, filters: [8, 16], fullRes: 8, dense: 32 }, 2);
  judge = judgeFromClassifier(await tinyCnn(5));
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

describe('k-NN precision and recall', () => {
  const dim = 4;
  const a = standardNormal(1, dim * 300);
  it('is ~1 for two samples of the same distribution and 0 for far-apart sets', () => {
    const b = standardNormal(2, dim * 300);
    const same = precisionRecall(a, b, dim, 3);
    expect(same.precision).toBeGreaterThan(0.8);
    expect(same.recall).toBeGreaterThan(0.8);
    const far = precisionRecall(
      a,
      b.map((v) => v + 50),
      dim,
      3,
    );
    expect(far).toMatchObject({ precision: 0, recall: 0 });
  });

  it('tells fidelity from coverage: a collapsed generator has precision but no recall', () => {
    const collapsed = a.map((v) => v * 0.05);
    const r = precisionRecall(a, collapsed, dim, 3);
    expect(r.precision).toBeGreaterThan(0.9);
    expect(r.recall).toBeLessThan(0.2);
  });

  it('measures the mean pairwise distance', () => {
    expect(meanPairwiseDistance(Float32Array.from([0, 0, 3, 4, 0, 0]), 2)).toBeCloseTo((5 + 0 + 5) / 3, 4);
  });
});

describe('VAE assessment', () => {
  it('reports judge figures plain and filtered, Fréchet with its real scale, and draws the chart', async () => {
    const a = await assessVae(vae, judge, test, { nPerClass: 6, bestOf: 5, filteredPerClass: 3, seed: 1 });
    expect(a.perClass).toHaveLength(10);
    expect(a.overall.unfiltered.count).toBe(60);
    expect(a.overall.filtered.count).toBe(30);
    for (const f of [a.overall.unfiltered, a.overall.filtered]) {
      expect(f.accuracy).toBeGreaterThanOrEqual(0);
      expect(f.accuracy).toBeLessThanOrEqual(1);
    }
    expect(a.overall.filtered.meanConfidence).toBeGreaterThan(a.overall.unfiltered.meanConfidence);
    expect(a.frechet.sampleSize).toBe(60);
    expect(a.frechet.realVsReal).toBeGreaterThan(0);
    // The figures are means over the default 5 real splits.
    expect(a.frechet.splits).toBe(5);
    expect(a.frechet.perSplit).toHaveLength(5);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(a.frechet.realVsReal).toBeCloseTo(mean(a.frechet.perSplit.map((s) => s.realVsReal)), 10);
    expect(a.frechet.generatedVsReal).toBeCloseTo(mean(a.frechet.perSplit.map((s) => s.generatedVsReal)), 10);
    expect(new Set(a.frechet.perSplit.map((s) => s.realVsReal)).size).toBe(5);
    // The decoder's reconstructions of each split's other half, measured against the same reference.
    expect(a.frechet.reconstructionVsReal).toBeGreaterThan(0);
    expect(a.frechet.reconstructionVsReal).toBeCloseTo(mean(a.frechet.perSplit.map((s) => s.reconstructionVsReal)), 10);
    // An untrained decoder's blobs are far from real garments, further than real from real.
    expect(a.frechet.generatedVsReal).toBeGreaterThan(a.frechet.realVsReal);
    expect(Number.isFinite(a.testElbo.elbo)).toBe(true);
    const png = decodePng(assessmentChart(a));
    expect(png.width).toBeGreaterThan(400);

    // Stored against a 'vae' model version in a fresh PostgreSQL database.
    const pg = await createFreshPostgres();
    const { db, close } = await openDb({ kind: 'postgresql', url: pg.url });
    try {
      const first = await storeVaeAssessment(db, tmp.dir, 1234, a);
      const second = await storeVaeAssessment(db, tmp.dir, 1234, a);
      expect(second.version.id).toBe(first.version.id);
      const rows = await listAssessments(db, { modelVersionId: first.version.id });
      expect(rows).toHaveLength(2);
      expect(rows[0]!.modelVersion.kind).toBe('vae');
      expect((rows[0]!.metrics as { frechet: { realVsReal: number } }).frechet.realVsReal).toBeCloseTo(
        a.frechet.realVsReal,
        10,
      );
    } finally {
      await close();
      await pg.drop();
    }
  }, 60_000);

  it('measures every seed against the same real scale: the real splits do not follow the sampling seed', async () => {
    const opts = { nPerClass: 6, bestOf: 1, filteredPerClass: 1, frechetSplits: 3 };
    const one = await assessVae(vae, judge, test, { ...opts, seed: 1 });
    const two = await assessVae(vae, judge, test, { ...opts, seed: 2 });
    expect(one.frechet.perSplit).toHaveLength(3);
    expect(two.frechet.realVsReal).toBe(one.frechet.realVsReal);
    expect(two.frechet.generatedVsReal).not.toBe(one.frechet.generatedVsReal);
    await expect(assessVae(vae, judge, test, { ...opts, seed: 1, frechetSplits: 0 })).rejects.toThrow(/frechetSplits/);
  }, 60_000);

  it('computes the seed-independent part once: a shared real reference gives the same figures as a fresh one', async () => {
    const opts = { nPerClass: 6, bestOf: 1, filteredPerClass: 1, frechetSplits: 2 };
    const reference = realReference(vae, judge, test, opts);
    const fresh = await assessVae(vae, judge, test, { ...opts, seed: 2 });
    const shared = await assessVae(vae, judge, test, { ...opts, seed: 2 }, reference);
    const { seconds: _a, referenceSeconds: _b, ...freshFigures } = fresh;
    const { seconds: _c, referenceSeconds: _d, ...sharedFigures } = shared;
    expect(sharedFigures).toEqual(freshFigures);
    expect(shared.referenceSeconds).toBe(reference.seconds);
    // the seed-independent figures come from the reference passed in, not from a new computation
    const marked = { ...reference, judgeTestAccuracy: -1, testElbo: { ...reference.testElbo, elbo: 12345 } };
    const fromMarked = await assessVae(vae, judge, test, { ...opts, seed: 2 }, marked);
    expect(fromMarked.judge.testAccuracy).toBe(-1);
    expect(fromMarked.testElbo.elbo).toBe(12345);
  }, 60_000);

  it('refuses a real reference made for another sample size, split, number of halvings, judge or real images', async () => {
    const opts = { nPerClass: 6, bestOf: 1, filteredPerClass: 1, frechetSplits: 2 };
    const reference = realReference(vae, judge, test, opts);
    const refused = (o: Partial<Parameters<typeof assessVae>[3]>, other = { judge, test }) =>
      expect(assessVae(vae, other.judge, other.test, { ...opts, seed: 2, ...o }, reference)).rejects.toThrow(
        /real reference was computed for another/,
      );
    await refused({ nPerClass: 5 });
    await refused({ split: 'validation' });
    await refused({ frechetSplits: 3 });
    await refused({}, { judge: { ...judge }, test });
    await refused({}, { judge, test: { ...test } });
  }, 60_000);

  it('draws every sample at the temperature asked for: near zero, a class collapses to one image', async () => {
    const opts = { nPerClass: 6, bestOf: 2, filteredPerClass: 1, seed: 1 };
    const hot = await assessVae(vae, judge, test, opts);
    const cold = await assessVae(vae, judge, test, { ...opts, temperature: 0.001 });
    expect(hot.temperature).toBe(1);
    expect(cold.temperature).toBe(0.001);
    expect(cold.diversity.generated).toBeLessThan(hot.diversity.generated / 100);
    expect(cold.diversity.real).toBe(hot.diversity.real);
  }, 60_000);

  it('writes a generated data set the training code can read for CAS', async () => {
    const count = await writeGeneratedDataset(vae.decoder, 4, 1, FIXTURE_DIR, tmp.dir);
    const train = await loadSplit('train', tmp.dir);
    expect(count).toBe(40);
    expect(train.count).toBe(40);
    expect(Array.from({ length: 10 }, (_, c) => train.labels.filter((l) => l === c).length)).toEqual(
      new Array(10).fill(4),
    );
    const real = await loadSplit('test', tmp.dir);
    expect(real.count).toBe(test.count);
  });

  it('runs CAS end to end: a CNN trained only on generated images, scored on the real test set after every epoch', async () => {
    const cas = await classificationAccuracyScore({
      decoder: vae.decoder,
      perClass: 13, // one batch of the default 128
      seed: 3,
      realDataDir: FIXTURE_DIR,
      workDir: `${tmp.dir}/cas`,
      epochs: 2,
      replicas: 1,
    });
    expect(cas).toMatchObject({ trainImages: 130, testImages: test.count, epochs: 2 });
    expect(cas.accuracyByEpoch).toHaveLength(2);
    expect(cas.accuracyByEpoch[1]).toBe(cas.accuracy);
    expect(cas.perClassAccuracy).toHaveLength(10);
    expect(cas.accuracy).toBeGreaterThanOrEqual(0);
    expect(cas.accuracy).toBeLessThanOrEqual(1);
  }, 120_000);

  it('summarizes CAS runs by their mean, sample sd, range and per-class mean', () => {
    const run = (accuracy: number, perClass: number): CasResult => ({
      accuracy,
      accuracyByEpoch: [accuracy],
      perClassAccuracy: new Array(10).fill(perClass),
      trainImages: 60_000,
      testImages: 10_000,
      epochs: 1,
      trainSeconds: 1,
      modelDir: 'x',
    });
    const s = summarizeCas([run(0.7, 0.5), run(0.8, 0.6), run(0.9, 1)], [1, 7920, 15839]);
    expect(s.accuracy).toBeCloseTo(0.8, 12);
    expect(s.std).toBeCloseTo(0.1, 12);
    expect([s.min, s.max]).toEqual([0.7, 0.9]);
    expect(s.perClassAccuracy[3]).toBeCloseTo(0.7, 12);
    expect(summarizeCas([run(0.75, 0.5)], [1]).std).toBe(0);
    expect(() => summarizeCas([], [])).toThrow(RangeError);
  });

  it('repeats CAS with its own seed per run and reports their mean and spread', async () => {
    const summary = await casOverRuns(
      {
        decoder: vae.decoder,
        perClass: 13,
        seed: 3,
        realDataDir: FIXTURE_DIR,
        workDir: `${tmp.dir}/cas-runs`,
        epochs: 1,
        replicas: 1,
      },
      2,
    );
    expect(summary.runs).toHaveLength(2);
    expect(summary.seeds[0]).toBe(3);
    expect(summary.seeds[1]).not.toBe(3);
    expect(summary.runs.map((r) => r.trainImages)).toEqual([130, 130]);
    expect(summary.perClassAccuracy).toHaveLength(10);
    // The chart gains a CAS bar per class and a line of text.
    const small = await assessVae(vae, judge, test, {
      nPerClass: 2,
      bestOf: 1,
      filteredPerClass: 1,
      seed: 1,
      frechetSplits: 1,
    });
    const plain = decodePng(assessmentChart(small));
    const withCas = decodePng(assessmentChart(small, summary));
    expect(withCas.width).toBeGreaterThan(plain.width);
    expect(withCas.height).toBeGreaterThan(plain.height);
    // The generated sets are removed once each run has its figure; the classifiers stay.
    await expect(loadSplit('train', `${tmp.dir}/cas-runs/run-0/data`)).rejects.toThrow();
    await expect(
      casOverRuns(
        {
          decoder: vae.decoder,
          perClass: 13,
          seed: 3,
          realDataDir: FIXTURE_DIR,
          workDir: `${tmp.dir}/cas-0`,
          epochs: 1,
          replicas: 1,
        },
        0,
      ),
    ).rejects.toThrow(/at least 1 run/);
  }, 120_000);
});
