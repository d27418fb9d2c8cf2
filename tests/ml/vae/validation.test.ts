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
import { evaluateElbo } from '../../../server/ml/training/vaeTask';
import { errorLines, runCliScript } from '../../helpers/cli';
import { FIXTURE_DIR, tempDir } from '../data/fixture';

const SMALL = { latent: 8, filters: [8, 16], fullRes: 0, dense: 64, klWarmupEpochs: 0, beta: 0.5 };
const HELD_OUT = 300;

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

describe('a VAE chosen on validation data', () => {
  it('scores every epoch on the held-out images, trained and averaged, and saves the best by validation ELBO', async () => {
    const out = path.join(tmp.dir, 'vae');
    const result = await startTraining({
      task: 'vae',
      dataDir: FIXTURE_DIR,
      epochs: 3,
      batchSize: 32,
      lr: 0.002,
      trainLimit: 512,
      testLimit: 200,
      replicas: 1,
      augment: false,
      arch: SMALL,
      validationCount: HELD_OUT,
      ema: 0.9,
      outDir: out,
    }).done;
    const log = JSON.parse(await readFile(path.join(out, 'training-log.json'), 'utf8')) as TrainingLog;
    expect(log).toMatchObject({ validationImages: HELD_OUT, trainImages: 512 });
    const candidates = log.epochs.flatMap((e) => {
      const ev = e.evaluation as unknown as Record<string, unknown> & { average: Record<string, number> };
      expect(ev.headlineName).toBe('validation -ELBO');
      expect(ev.headline).toBe(-(ev.validationElbo as number));
      expect(typeof ev.testElbo).toBe('number');
      expect(ev.samplesLatents).toBe('per-class Gaussians fitted on the validation images');
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

  it('refits the latent prior without the images the model held out (its log says which), and refuses a bad --validation in one line', async () => {
    const out = path.join(tmp.dir, 'vae');
    const fit = (...flags: string[]) =>
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
    const [r, negative] = await Promise.all([fit(), fit('--validation', '-5')]);
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
