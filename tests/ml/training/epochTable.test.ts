/**
 * The model cards' epoch tables come from the logs: `log:epochs` formats a log whose every value is
 * known, reproduces the served CNN card's table from its committed log, and refuses what is not a
 * training log with one sentence.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochTable, type EpochLog, formatLr, readEpochLog } from '../../../server/ml/training/epochTable';
import { errorLines, runCliScript } from '../../helpers/cli';

const evaluation = (fields: Record<string, unknown>) => ({ headline: 0, headlineName: 'x', ...fields });

describe('epochTable', () => {
  it('prints one row per epoch, numbered from 1, with the trained and averaged figures and a dash where one is missing', () => {
    const log: EpochLog = {
      kind: 'cnn',
      config: { drawingEvalCount: 2000 },
      epochs: [
        {
          epoch: 0,
          seconds: 230.6,
          imagesPerSec: 236.5,
          lr: 0.00299,
          evaluation: evaluation({ validationAccuracy: 0.8, testAccuracy: 0.79 }),
        },
        {
          epoch: 1,
          seconds: 225,
          imagesPerSec: 243,
          lr: 3e-5,
          evaluation: evaluation({
            validationAccuracy: 0.9444,
            testAccuracy: 0.9382,
            average: { validationAccuracy: 0.9464, testAccuracy: 0.9376 },
          }),
        },
      ],
    };
    expect(epochTable(log).split('\n')).toEqual([
      '| epoch | lr at its end | train s | img/s | validation: trained | validation: average (EMA) | test: trained | test: average (EMA) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      '| 1 | 2.99e-03 | 231 | 237 | 80.00 | — | 79.00 | — |',
      '| 2 | 3.00e-05 | 225 | 243 | 94.44 | 94.64 | 93.82 | 93.76 |',
    ]);
  });

  it("shows the VAE's bound and Fréchet ratios, without average columns for a run without one", () => {
    const log: EpochLog = {
      kind: 'vae',
      epochs: [
        {
          epoch: 0,
          seconds: 100,
          imagesPerSec: 300,
          lr: 1e-3,
          evaluation: evaluation({
            validationElbo: -301.234,
            testElbo: -300.9,
            validationReconstructionRatio: 2.8312,
            validationSampleRatio: 4.76,
          }),
        },
      ],
    };
    expect(epochTable(log).split('\n')).toEqual([
      '| epoch | lr at its end | train s | img/s | validation ELBO: trained | test ELBO: trained | validation reconstruction Fréchet ratio: trained | validation sample Fréchet ratio: trained |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      '| 1 | 1.00e-03 | 100 | 300 | -301.23 | -300.90 | 2.831x | 4.760x |',
    ]);
  });

  it('formats learning rates with a two-digit exponent', () => {
    expect([3e-5, 0.00299, 1.5, 0.1].map(formatLr)).toEqual(['3.00e-05', '2.99e-03', '1.50e+00', '1.00e-01']);
  });

  it("reproduces the served CNN card's epoch table from its committed training log", async () => {
    const table = epochTable(await readEpochLog('models/cnn'));
    const card = await readFile('models/cnn/README.md', 'utf8');
    const rowsOf = (text: string) => text.split('\n').filter((l) => /^\| \d+ \| \d\.\d\de-\d\d \|/.test(l));
    const cardRows = rowsOf(card.slice(0, card.indexOf('# History')));
    expect(cardRows).toHaveLength(30);
    expect(rowsOf(table)).toEqual(cardRows);
  });
});

describe('readEpochLog and npm run log:epochs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'epoch-table-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a checkpoint's state.json, whose log is under `log`", async () => {
    const file = path.join(dir, 'state.json');
    const log = {
      kind: 'cnn',
      epochs: [{ epoch: 0, seconds: 1, imagesPerSec: 2, lr: 0.001, evaluation: evaluation({}) }],
    };
    await writeFile(file, JSON.stringify({ resumeKey: 'k', epochsCompleted: 1, log }));
    expect((await readEpochLog(dir)).epochs).toHaveLength(1);
  });

  it('refuses a weight average, a folder without a log, a file that is not JSON and one that is not a log', async () => {
    await expect(readEpochLog('models/vae')).rejects.toThrow(/records no epochs \(a weight average/);
    await expect(readEpochLog('tests')).rejects.toThrow('tests has neither a training-log.json nor');
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{ not json');
    await expect(readEpochLog(bad)).rejects.toThrow(`cannot read the training log ${bad}: not valid JSON`);
    const wrong = path.join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ kind: 'gan', epochs: [] }));
    await expect(readEpochLog(wrong)).rejects.toThrow(`${wrong} is not a training log: kind:`);
  });

  it('the command prints the table and the choice, and a missing file is one error line with exit 1', async () => {
    const ok = await runCliScript('log-epochs', ['models/cnn/training-log.json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('| 30 | 3.00e-05 |');
    expect(ok.stdout).toContain('chosen on validation accuracy: the trained weights after epoch 30');
    const missing = await runCliScript('log-epochs', [path.join(dir, 'nothing.json')]);
    expect(missing.code).toBe(1);
    expect(errorLines(missing.stderr)).toEqual([
      `error: cannot read the training log ${path.join(dir, 'nothing.json')}: no such file`,
    ]);
  }, 60_000);
});
