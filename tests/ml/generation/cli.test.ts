import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCnn } from '../../helpers/models';
import { initBackend } from '../../../server/ml/backend';
import { decodePng } from '../../../server/ml/image';
import { saveLayersModel } from '../../../server/ml/models/storage';
import { buildVae, saveVae } from '../../../server/ml/models/vae';
import { FIXTURE_DIR, tempDir } from '../data/fixture';
import { errorLines, runCliScript as run } from '../../helpers/cli';

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  tmp = await tempDir();
  await saveVae(buildVae({ latent: 8, filters: [8, 16], fullRes: 8, dense: 32 }, 1), path.join(tmp.dir, 'vae'));
  await saveLayersModel(await tinyCnn(1), path.join(tmp.dir, 'cnn'));
  // Models that held out the last 300 training images (what their training logs would say).
  for (const dir of ['vae', 'cnn']) {
    const log = JSON.stringify({ kind: dir, validationImages: 300, config: { validationCount: 300 } });
    await writeFile(path.join(tmp.dir, `held-out-${dir}.json`), log);
  }
  await cp(path.join(tmp.dir, 'vae'), path.join(tmp.dir, 'vae-held'), { recursive: true });
  await cp(path.join(tmp.dir, 'cnn'), path.join(tmp.dir, 'cnn-held'), { recursive: true });
  await cp(path.join(tmp.dir, 'held-out-vae.json'), path.join(tmp.dir, 'vae-held', 'training-log.json'));
  await cp(path.join(tmp.dir, 'held-out-cnn.json'), path.join(tmp.dir, 'cnn-held', 'training-log.json'));
  // A VAE that held out the last 300 images of another data folder: not the images the judge left out.
  await cp(path.join(tmp.dir, 'vae'), path.join(tmp.dir, 'vae-elsewhere'), { recursive: true });
  const elsewhere = {
    kind: 'vae',
    validationImages: 300,
    config: { validationCount: 300, dataDir: '/data/elsewhere' },
  };
  await writeFile(path.join(tmp.dir, 'vae-elsewhere', 'training-log.json'), JSON.stringify(elsewhere));
  // A VAE that held out the images, but whose latent prior was fitted on all of them (--validation 0).
  await cp(path.join(tmp.dir, 'vae'), path.join(tmp.dir, 'vae-prior-saw'), { recursive: true });
  const priorSaw = {
    kind: 'vae',
    validationImages: 300,
    config: { validationCount: 300 },
    latentPrior: { fittedOn: 3000 },
  };
  await writeFile(path.join(tmp.dir, 'vae-prior-saw', 'training-log.json'), JSON.stringify(priorSaw));
});
afterAll(() => tmp.remove());

describe('generate and assess command lines', () => {
  it('write a PNG grid, and refuse bad input with one line and a non-zero exit', async () => {
    const vae = path.join(tmp.dir, 'vae');
    const out = path.join(tmp.dir, 'dress.png');
    const [ok, unknown, cnn, missing, range, assessRange, splitsRange, casRunsRange, seedRange] = await Promise.all([
      run('generate', ['--class', 'DRESS', '--n', '3', '--model', vae, '--out', out]),
      run('generate', ['--class', 'hat', '--model', vae]),
      run('generate', ['--class', '3', '--model', path.join(tmp.dir, 'cnn')]),
      run('generate', ['--class', 'Ankle boot', '--model', path.join(tmp.dir, 'none')]),
      run('generate', ['--class', '3', '--n', '5', '--best-of', '2', '--model', vae]),
      run('assess', ['--model', vae, '--n-per-class', '1']),
      run('assess', ['--model', vae, '--frechet-splits', '0']),
      run('assess', ['--model', vae, '--cas', '--cas-runs', '0']),
      run('assess', ['--model', vae, '--seed', '-3']),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const png = decodePng(await readFile(out));
    expect(png.height).toBe(4 + (28 * 3 + 4)); // one row of 3 tiles at scale 3, padding 4
    const record = JSON.parse(await readFile(out.replace(/\.png$/, '.json'), 'utf8'));
    expect(record.class).toBe('Dress');
    expect(record.samples).toHaveLength(3);

    for (const [r, pattern] of [
      [unknown, /Unknown class "hat".*9 Ankle boot/],
      [cnn, /garment classifier \(CNN\), not a conditional VAE/],
      [missing, /No VAE at .*none/],
      [range, /candidates must be a whole number from 5/],
      [assessRange, /--n-per-class must be a whole number from 2/],
      [splitsRange, /--frechet-splits must be a whole number from 1 to 50/],
      [casRunsRange, /--cas-runs must be a whole number from 1 to 10/],
      [seedRange, /--seed must be a whole number from 0/],
    ] as const) {
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(errorLines(r.stderr)[0]).toMatch(pattern);
    }
  }, 90_000);

  it('assess --seeds measures once per seed against the same real images and reports each and the mean; --split validation uses the held-out training images', async () => {
    const out = path.join(tmp.dir, 'assessed');
    const held = ['--model', path.join(tmp.dir, 'vae-held'), '--judge', path.join(tmp.dir, 'cnn-held')];
    const [r, badSplit, casOnValidation, judgeSawThem, otherCount, otherFolder, priorSawThem] = await Promise.all([
      run('assess', [
        ...[...held, '--data-dir', FIXTURE_DIR],
        ...['--split', 'validation', '--seeds', '1,2'],
        ...['--n-per-class', '20', '--best-of', '2', '--filtered-per-class', '2', '--frechet-splits', '2'],
        ...['--out', out, '--json', '--no-save'],
      ]),
      run('assess', ['--model', path.join(tmp.dir, 'vae'), '--split', 'train']),
      run('assess', ['--model', path.join(tmp.dir, 'vae'), '--split', 'validation', '--cas']),
      run('assess', [
        '--model',
        path.join(tmp.dir, 'vae-held'),
        '--judge',
        path.join(tmp.dir, 'cnn'),
        '--split',
        'validation',
      ]),
      run('assess', [...held, '--split', 'validation', '--validation', '500']),
      run('assess', [
        ...['--model', path.join(tmp.dir, 'vae-elsewhere'), '--judge', path.join(tmp.dir, 'cnn-held')],
        ...['--data-dir', FIXTURE_DIR, '--split', 'validation'],
      ]),
      run('assess', [
        ...['--model', path.join(tmp.dir, 'vae-prior-saw'), '--judge', path.join(tmp.dir, 'cnn-held')],
        ...['--data-dir', FIXTURE_DIR, '--split', 'validation'],
      ]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      split: string;
      seed: number;
      frechet: { sampleSize: number; ratio: number };
      perSeed: { seed: number; frechetRatio: number; realVsReal: number }[];
      overSeeds: { seeds: number[]; frechetRatio: number };
    };
    expect(result.split).toBe('validation');
    expect(result.frechet.sampleSize).toBe(150); // half of the 300 held-out images
    expect(result.perSeed.map((s) => s.seed)).toEqual([1, 2]);
    expect(result.perSeed[0]!.frechetRatio).toBe(result.frechet.ratio);
    expect(result.perSeed[0]!.frechetRatio).not.toBe(result.perSeed[1]!.frechetRatio);
    expect(result.perSeed[0]!.realVsReal).toBe(result.perSeed[1]!.realVsReal); // the same real scale for every seed
    expect(result.overSeeds.frechetRatio).toBeCloseTo(
      (result.perSeed[0]!.frechetRatio + result.perSeed[1]!.frechetRatio) / 2,
      10,
    );
    expect(JSON.parse(await readFile(path.join(out, 'assessment.json'), 'utf8')).overSeeds).toEqual(result.overSeeds);
    for (const [bad, pattern] of [
      [badSplit, /--split must be test or validation/],
      [casOnValidation, /--cas scores on the real test set/],
      [judgeSawThem, /never saw the validation images, but .*cnn has no readable training-log\.json/],
      [otherCount, /never saw the validation images, but .*cnn-held held out the last 300 images of the training set/],
      [otherFolder, /vae-elsewhere held out the last 300 training images of \/data\/elsewhere, not of /],
      [
        priorSawThem,
        /needs a latent prior fitted without the validation images, but .*vae-prior-saw's was fitted on 3000 training images holding out none/,
      ],
    ] as const) {
      expect(bad.code).toBe(1);
      expect(errorLines(bad.stderr)).toEqual([expect.stringMatching(pattern)]);
    }
  }, 120_000);
});
