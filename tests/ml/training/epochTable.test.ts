/**
 * The model cards' epoch tables come from the logs: `log:epochs` formats a log whose every value is
 * known, reproduces the served CNN card's table from its committed log, and refuses what is not a
 * training log with one sentence.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  epochTable,
  type EpochLog,
  formatLr,
  readLoggedRuns,
  selectionLine,
} from '../../../server/ml/training/epochTable';
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
          evaluation: evaluation({ validationAccuracy: 0.8, testAccuracy: 0.79, drawingAccuracy: 0.701 }),
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
      '| epoch | lr at its end | train s | img/s | validation: trained | validation: average (EMA) | test: trained | test: average | drawings (2,000): trained |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| 1 | 2.99e-03 | 231 | 237 | 80.00 | — | 79.00 | — | 70.10 |',
      '| 2 | 3.00e-05 | 225 | 243 | 94.44 | 94.64 | 93.82 | 93.76 | — |',
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
      '| epoch | lr at its end | train s | img/s | validation ELBO: trained | validation reconstruction Fréchet ratio: trained | validation sample Fréchet ratio: trained | test ELBO: trained |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      '| 1 | 1.00e-03 | 100 | 300 | -301.23 | 2.831x | 4.760x | -300.90 |',
    ]);
  });

  it('formats learning rates with a two-digit exponent', () => {
    expect([3e-5, 0.00299, 1.5, 0.1].map(formatLr)).toEqual(['3.00e-05', '2.99e-03', '1.50e+00', '1.00e-01']);
  });

  it("reproduces the served CNN card's epoch table, header included, from its committed training log", async () => {
    const [run, ...others] = await readLoggedRuns('models/cnn');
    expect(others).toHaveLength(0);
    const card = await readFile('models/cnn/README.md', 'utf8');
    const start = card.indexOf('### Every epoch');
    // the table's section ends at the next heading of a higher level
    const served = card.slice(start, card.indexOf('\n## ', start));
    const cardTable = served.split('\n').filter((l) => l.startsWith('| '));
    expect(cardTable).toHaveLength(run!.log.epochs.length + 2);
    expect(epochTable(run!.log).split('\n')).toEqual(cardTable);
    const best = run!.log.selection!.best!;
    expect(selectionLine(run!.log)).toBe(
      `chosen on validation accuracy: the ${best.weights} weights after epoch ${best.epoch + 1}`,
    );
    expect(card.slice(0, card.indexOf('# History'))).toContain(
      `the **${best.weights} weights after the ${best.epoch + 1}th`,
    );
  });

  it("finds the served VAE's runs inside its greedy soup's log, each once, with the figures that chose its weights", async () => {
    const runs = await readLoggedRuns('models/vae');
    // the greedy soup of two fine-tunes, both started from step 1 (listed once, under the first)
    expect(runs.map((r) => r.at)).toEqual(['averageOf.0', 'averageOf.0.initialisedFrom', 'averageOf.1']);
    expect(runs.map((r) => r.log.epochs.length)).toEqual([6, 22, 6]);
    const raw = JSON.parse(await readFile('models/vae/training-log.json', 'utf8'));
    const step1 = raw.averageOf[0].log.initialisedFrom.log;
    const best = step1.selection.best;
    const table = epochTable(runs[1]!.log).split('\n');
    const header = table[0]!.split(' | ');
    const column = (name: string) => header.indexOf(name);
    expect(column('validation reconstruction Fréchet ratio: average')).toBeGreaterThan(0);
    expect(column('test ELBO: trained')).toBeGreaterThan(column('validation sample Fréchet ratio: average'));
    // the row of the epoch step 1 chose (the EMA weights after epoch 15) holds the figures that chose it
    const chosen = table[2 + best.epoch]!.split(' | ');
    expect(chosen[0]).toBe(`| ${best.epoch + 1}`);
    expect(chosen[column('validation reconstruction Fréchet ratio: average')]).toBe(
      `${best.validationReconstructionRatio.toFixed(3)}x`,
    );
    expect(chosen[column('validation ELBO: average (EMA)')]).toBe(best.validationElbo.toFixed(2));
    expect(chosen[column('test ELBO: trained')]).toBe(step1.epochs[best.epoch].evaluation.testElbo.toFixed(2));
    expect(selectionLine(runs[1]!.log)).toBe(
      'chosen on validation reconstruction Fréchet ratio: the average weights after epoch 15',
    );
  });
});

describe('readLoggedRuns and npm run log:epochs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'epoch-table-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a checkpoint's state.json, whose log is under `log`, as a run in progress", async () => {
    const log = {
      kind: 'cnn',
      command: 'npm run train:cnn',
      startedAt: 'now',
      epochs: [{ epoch: 0, seconds: 1, imagesPerSec: 2, lr: 0.001, evaluation: evaluation({}) }],
      selection: { ema: 0, chosenOn: 'validation accuracy', best: { weights: 'trained', epoch: 0 } },
    };
    await writeFile(path.join(dir, 'state.json'), JSON.stringify({ resumeKey: 'k', epochsCompleted: 1, log }));
    const [run] = await readLoggedRuns(dir);
    expect(run!.log.epochs).toHaveLength(1);
    expect(selectionLine(run!.log)).toBe(
      'best so far on validation accuracy (the run is not finished): the trained weights after epoch 1',
    );
  });

  it('refuses a folder without a log, a file that is not JSON, one without epochs and one that is not a log', async () => {
    await expect(readLoggedRuns('tests')).rejects.toThrow(
      "tests has neither a training-log.json nor a checkpoint's state.json: pass a model folder",
    );
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{ not json');
    await expect(readLoggedRuns(bad)).rejects.toThrow(`${bad} is not valid JSON: pass a model folder`);
    await expect(readLoggedRuns('models/cnn/eval-test.json')).rejects.toThrow(
      'models/cnn/eval-test.json records no epochs: pass a model folder',
    );
    const empty = path.join(dir, 'empty.json');
    await writeFile(empty, JSON.stringify({ kind: 'cnn', epochs: [] }));
    await expect(readLoggedRuns(empty)).rejects.toThrow(`${empty} records no epochs`);
    const wrong = path.join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ kind: 'gan', epochs: [{}] }));
    await expect(readLoggedRuns(wrong)).rejects.toThrow(`${wrong} is not a training log (kind:`);
  });

  it('the command prints the table and the choice, and a missing file is one error line with exit 1', async () => {
    // the 30-epoch model served until 2026-12-07, whose log no longer changes
    const ok = await runCliScript('log-epochs', ['models/cnn/previous-2026-12-06/training-log.json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('| 30 | 3.00e-05 | 211 | 260 | 94.44 |');
    expect(ok.stdout).toContain('chosen on validation accuracy: the trained weights after epoch 30');
    expect(ok.stdout).not.toContain('###'); // one run: no headings
    const missing = await runCliScript('log-epochs', [path.join(dir, 'nothing.json')]);
    expect(missing.code).toBe(1);
    expect(errorLines(missing.stderr)).toEqual([
      `error: Cannot read the training log ${path.join(dir, 'nothing.json')}: no such file.`,
    ]);
  }, 60_000);
});
