/**
 * Choosing the VAE on validation data: train:vae --validation holds out the last training images,
 * scores every epoch's ELBO on them (trained weights and their average), saves the best, and
 * fits the latent prior without them. On the committed real subset.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../server/ml/backend';
import { holdOutLast, loadSplit } from '../../../server/ml/data/fashionMnist';
import { loadVae } from '../../../server/ml/models/vae';
import type { TrainingLog } from '../../../server/ml/training/events';
import { startTraining } from '../../../server/ml/training/run';
import { resumeKey, TrainingConfigSchema } from '../../../server/ml/training/config';
import { evaluateElbo } from '../../../server/ml/training/vaeTask';
import { errorLines, runCliScript } from '../../helpers/cli';
import { tinyCnn } from '../../helpers/models';
import { saveLayersModel } from '../../../server/ml/models/storage';
import { judgeImages, loadJudge } from '../../../server/ml/models/judge';
import { frechetToHalvings, realHalvings } from '../../../server/ml/frechet';
import { reconstruct } from '../../../server/ml/training/vaeTask';
import { writeFile } from 'node:fs/promises';
import { FIXTURE_DIR, tempDir } from '../data/fixture';

const SMALL = { latent: 8, filters: [8, 16], fullRes: 0, dense: 64, klWarmupEpochs: 0, beta: 0.5 };
const HELD_OUT = 300;
/** A small VAE run on the fixture with the validation hold-out and a weight average. */
const RUN = {
  task: 'vae' as const,
  dataDir: FIXTURE_DIR,
  batchSize: 32,
  lr: 0.002,
  replicas: 1,
  augment: false,
  arch: SMALL,
  validationCount: HELD_OUT,
  ema: 0.9,
};

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

describe('a VAE chosen on validation data', () => {
  it('scores every epoch on the held-out images, trained and averaged, and saves the best by validation ELBO', async () => {
    const out = path.join(tmp.dir, 'vae');
    const result = await startTraining({ ...RUN, epochs: 3, trainLimit: 512, testLimit: 200, outDir: out }).done;
    const log = JSON.parse(await readFile(path.join(out, 'training-log.json'), 'utf8')) as TrainingLog;
    expect(log).toMatchObject({ validationImages: HELD_OUT, trainImages: 512 });
    const candidates = log.epochs.flatMap((e) => {
      const ev = e.evaluation as unknown as Record<string, unknown> & { average: Record<string, number> };
      expect(ev.headlineName).toBe('validation -ELBO');
      expect(ev.headline).toBe(-(ev.validationElbo as number));
      expect(typeof ev.testElbo).toBe('number');
      // The prior the samples come from is fitted on training images, never the validation ones scored here.
      expect(ev.samplesLatents).toBe('per-class Gaussians fitted on 512 training images (a seeded subset)');
      return [ev.validationElbo as number, ev.average.validationElbo!];
    });
    expect(candidates.every(Number.isFinite)).toBe(true);
    const selection = log.selection!;
    expect(selection.chosenOn).toBe('validation ELBO');
    expect(selection.best!.validationElbo).toBe(Math.max(...candidates));
    expect(result.log.selection).toEqual(selection);
    // What was saved is the chosen weights: they score exactly the chosen figure on the held-out images.
    const { heldOut } = holdOutLast(await loadSplit('train', FIXTURE_DIR), HELD_OUT);
    const vae = await loadVae(out);
    expect(evaluateElbo(vae, heldOut.images, heldOut.labels).elbo).toBeCloseTo(selection.best!.validationElbo!, 3);
    vae.combined.dispose();
  }, 300_000);

  it('with a Fréchet judge, measures every epoch as assess does and saves the weights with the lowest reconstruction ratio', async () => {
    const judgeDir = path.join(tmp.dir, 'judge');
    await saveLayersModel(await tinyCnn(5), judgeDir);
    // a judge that held out exactly the validation images (as train:cnn --validation 300 records it)
    await writeFile(path.join(judgeDir, 'training-log.json'), JSON.stringify({ validationImages: HELD_OUT }));
    const out = path.join(tmp.dir, 'vae-frechet');
    // Two replicas: only replica 0 evaluates, so only it loads the judge (createTask's `evaluates`).
    const run = {
      ...RUN,
      epochs: 2,
      trainLimit: 256,
      testLimit: 100,
      replicas: 2,
      frechetJudge: judgeDir,
      outDir: out,
    };
    const result = await startTraining(run).done;
    const candidates = result.log.epochs.flatMap((e) => {
      const ev = e.evaluation as unknown as Record<string, unknown> & { average: Record<string, number> };
      expect(ev.validationFrechet).toMatchObject({ sampleSize: HELD_OUT / 2, judge: judgeDir });
      for (const x of [ev, ev.average]) {
        for (const ratio of [x.validationReconstructionRatio, x.validationSampleRatio]) {
          expect(Number.isFinite(ratio)).toBe(true);
          expect(ratio).toBeGreaterThan(0);
        }
      }
      return [ev.validationReconstructionRatio as number, ev.average.validationReconstructionRatio!];
    });
    const selection = result.log.selection!;
    expect(selection.chosenOn).toBe('validation reconstruction Fréchet ratio');
    expect(selection.best!.validationReconstructionRatio).toBe(Math.min(...candidates));
    // Recomputed from the saved weights with the same halvings: the chosen figure, so the saved model is the chosen one.
    const { heldOut } = holdOutLast(await loadSplit('train', FIXTURE_DIR), HELD_OUT);
    const [vae, judge] = [await loadVae(out), await loadJudge(judgeDir)];
    const real = judgeImages(judge, heldOut.images).features;
    const h = realHalvings(real, judge.featureSize, heldOut.count, 2500);
    const recon = judgeImages(judge, reconstruct(vae, heldOut.images, heldOut.labels)).features;
    expect(frechetToHalvings(h, recon, true).mean / frechetToHalvings(h, real, true).mean).toBeCloseTo(
      selection.best!.validationReconstructionRatio!,
      3,
    );
    vae.combined.dispose();
  }, 300_000);

  it('keeps the resume keys of runs without a Fréchet judge, and refuses a judge that did not hold out the validation images', async () => {
    const base = TrainingConfigSchema.parse({ task: 'vae', validationCount: HELD_OUT, arch: SMALL });
    expect(resumeKey(base)).not.toContain('frechetJudge');
    expect(resumeKey({ ...base, frechetJudge: 'models/cnn' })).toContain('"frechetJudge":"models/cnn"');
    const unheld = path.join(tmp.dir, 'judge-unheld');
    await saveLayersModel(await tinyCnn(7), unheld);
    const config = { ...base, dataDir: FIXTURE_DIR, epochs: 1, trainLimit: 64, testLimit: 50, replicas: 1 };
    await expect(startTraining({ ...config, frechetJudge: unheld }).done).rejects.toThrow(/did not hold out exactly/);
    await expect(startTraining({ ...config, task: 'cnn', arch: {}, frechetJudge: unheld }).done).rejects.toThrow(
      /measures a VAE/,
    );
  }, 120_000);

  it('train:vae --frechet-judge refuses, in one line, a run without --validation and a judge that saw the validation images', async () => {
    const judgeDir = path.join(tmp.dir, 'judge-all');
    await saveLayersModel(await tinyCnn(6), judgeDir);
    await writeFile(path.join(judgeDir, 'training-log.json'), JSON.stringify({ config: { validationCount: 0 } }));
    const run = (...flags: string[]) =>
      runCliScript('train-vae', [
        '--epochs',
        '1',
        '--data-dir',
        FIXTURE_DIR,
        '--out',
        path.join(tmp.dir, 'never'),
        ...flags,
      ]);
    const [noValidation, sawThem] = await Promise.all([
      run('--frechet-judge', judgeDir),
      run('--frechet-judge', judgeDir, '--validation', String(HELD_OUT)),
    ]);
    expect(noValidation.code).toBe(1);
    expect(errorLines(noValidation.stderr)).toEqual([expect.stringMatching(/--frechet-judge .*give --validation/)]);
    expect(sawThem.code).toBe(1);
    expect(errorLines(sawThem.stderr)).toEqual([
      expect.stringMatching(/--frechet-judge: .*trained on all training images.*--validation 300/),
    ]);
  }, 120_000);

  it('refits the latent prior without the images the model held out (its log says which), and refuses a bad --validation in one line', async () => {
    const out = path.join(tmp.dir, 'vae');
    const fitPrior = (...flags: string[]) =>
      runCliScript('train-vae', [
        '--fit-prior',
        '--out',
        out,
        '--data-dir',
        FIXTURE_DIR,
        '--prior-components',
        '1',
        ...flags,
      ]);
    const [r, negative] = await Promise.all([fitPrior(), fitPrior('--validation', '-5')]);
    expect(r.code, r.stderr).toBe(0);
    expect(errorLines(r.stderr)).toEqual([]);
    const train = await loadSplit('train', FIXTURE_DIR);
    const log = JSON.parse(await readFile(path.join(out, 'training-log.json'), 'utf8')) as Record<string, unknown>;
    expect(log.latentPrior).toMatchObject({
      components: 1,
      fittedOn: train.count - HELD_OUT,
      heldOut: `the last ${HELD_OUT} images of the training set (validation)`,
    });
    expect(negative.code).toBe(1);
    expect(errorLines(negative.stderr)).toEqual([expect.stringMatching(/--validation must be a whole number/)]);
  }, 120_000);

  it('names the --validation flag when the training config refuses its value', async () => {
    const r = await runCliScript('train-cnn', [
      '--validation',
      '0.5',
      '--epochs',
      '1',
      '--out',
      path.join(tmp.dir, 'x'),
    ]);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^error: Invalid option --validation:/)]);
  }, 60_000);
});
