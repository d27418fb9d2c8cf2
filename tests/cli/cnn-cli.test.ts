/**
 * The CNN command lines as a person runs them: eval:cnn's JSON on stdout, and one-sentence errors
 * with a non-zero exit for bad input.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../server/db';
import { createFreshPostgres } from '../helpers/freshDatabase';

const tsx = 'node_modules/.bin/tsx';
const FIXTURE = 'tests/fixtures/fashion-mnist';
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(tsx, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

describe('eval:cnn', () => {
  it('prints one JSON object with the promised fields for the committed model', () => {
    const r = run(['server/cli/eval-cnn.ts', '--model', 'models/cnn', '--json'], {
      FASHION_MNIST_DIR: 'tests/fixtures/fashion-mnist',
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(out).toMatchObject({ backend: 'wasm', testImages: 1000 });
    expect(out.accuracy).toBeGreaterThan(0.9);
    expect(typeof out.bareAccuracy).toBe('number');
    expect(out.perClassAccuracy).toHaveLength(10);
    expect((out.confusionMatrix as number[][]).flat().reduce((a, b) => a + b, 0)).toBe(1000);
    expect(out.params).toBeGreaterThan(100_000);
  }, 120_000);

  it('--save stores the result as an assessment of the model version', async () => {
    const pg = await createFreshPostgres();
    try {
      const r = run(['server/cli/eval-cnn.ts', '--model', 'models/cnn', '--json', '--save'], {
        FASHION_MNIST_DIR: 'tests/fixtures/fashion-mnist',
        DATABASE_URL: pg.url,
      });
      expect(r.status, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout.trim()) as { accuracy: number };
      const { db, close } = await openDb({ kind: 'postgresql', url: pg.url });
      const rows = await db.assessment.findMany({ include: { modelVersion: true } });
      await close();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.source).toBe('eval:cnn');
      expect((rows[0]!.metrics as { accuracy: number }).accuracy).toBe(printed.accuracy);
      expect(rows[0]!.modelVersion).toMatchObject({ kind: 'cnn', path: 'models/cnn' });
    } finally {
      await pg.drop();
    }
  }, 120_000);

  it('--split validation scores exactly the training images the model held out, and refuses a model that held out none', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'fmp-eval-validation-'));
    try {
      const tiny = ['--epochs', '1', '--batch-size', '32', '--train-limit', '256', '--replicas', '1'];
      const t = run([
        'server/cli/train-cnn.ts',
        ...tiny,
        ...['--filters', '4,8,8', '--dense', '16', '--drawing-eval', '0', '--validation', '300'],
        ...['--data-dir', FIXTURE, '--out', `${out}/model`, '--checkpoint-dir', `${out}/ck`],
      ]);
      expect(t.status, t.stderr).toBe(0);
      const log = JSON.parse(await readFile(`${out}/model/training-log.json`, 'utf8'));
      const e = run(['server/cli/eval-cnn.ts', '--model', `${out}/model`, '--split', 'validation', '--json'], {
        FASHION_MNIST_DIR: FIXTURE,
      });
      expect(e.status, e.stderr).toBe(0);
      const evaluated = JSON.parse(e.stdout);
      expect(evaluated).toMatchObject({ split: 'validation', validationImages: 300 });
      expect(evaluated.testImages).toBeUndefined();
      // the figure the run chose its weights on: the same 300 images, the same weights
      expect(evaluated.accuracy).toBe(log.selection.best.validationAccuracy);
      expect(evaluated.validationLoss).toBeCloseTo(log.epochs[0].evaluation.validationLoss, 4);
      // the same held-out images as outline drawings: a figure of its own, for floors that must not read the test set
      const d = run(
        ['server/cli/eval-cnn.ts', '--model', `${out}/model`, '--split', 'validation', '--drawings', '--json'],
        { FASHION_MNIST_DIR: FIXTURE },
      );
      expect(d.status, d.stderr).toBe(0);
      const drawn = JSON.parse(d.stdout);
      expect(drawn).toMatchObject({ split: 'validation', drawings: true, validationImages: 300 });
      expect(drawn.accuracy).not.toBe(evaluated.accuracy);
      // a copy of the model without its log: which images it held out is unknown
      await mkdir(`${out}/unlogged`);
      for (const f of ['model.json', 'weights.bin']) await copyFile(`${out}/model/${f}`, `${out}/unlogged/${f}`);
      for (const [args, message] of [
        [['--model', 'models/perceptual-cnn'], /models\/perceptual-cnn trained on all training images/],
        [['--model', `${out}/unlogged`], /has no readable training-log\.json/],
        [
          ['--model', `${out}/model`, '--data-dir', os.tmpdir()],
          /held out the last 300 training images of tests\/fixtures/,
        ],
        [['--model', `${out}/model`, '--save'], /--save stores a report on the test set/],
      ] as const) {
        const r = run(['server/cli/eval-cnn.ts', ...args, '--split', 'validation', '--json'], {
          FASHION_MNIST_DIR: FIXTURE,
        });
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('a missing model is one clear line and exit code 1', () => {
    const r = run(['server/cli/eval-cnn.ts', '--model', '/nonexistent/model', '--json']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: No model at \/nonexistent\/model/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});

describe('train:cnn', () => {
  it('rejects an out-of-range option with the flag named', () => {
    const r = run(['server/cli/train-cnn.ts', '--epochs', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: Invalid option --epochs/);
  }, 60_000);

  it('--mirror-average writes a model that averages over mirror images, with both accuracies in its log', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'fmp-train-cli-'));
    const args = [
      '--epochs',
      '1',
      '--batch-size',
      '32',
      '--train-limit',
      '256',
      '--replicas',
      '1',
      '--filters',
      '4,8,8',
      '--dense',
      '16',
    ];
    const r = run([
      'server/cli/train-cnn.ts',
      ...args,
      '--drawing-eval',
      '0',
      '--data-dir',
      FIXTURE,
      '--out',
      `${out}/model`,
      '--checkpoint-dir',
      `${out}/ck`,
      '--mirror-average',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mirror averaging: test accuracy [\d.]+% -> [\d.]+%; wrote/);
    const log = JSON.parse(await readFile(`${out}/model/training-log.json`, 'utf8'));
    expect(log.mirrorAveraging.testImages).toBe(1000);
    expect(log.mirrorAveraging.withoutMirror.testAccuracy).toBe(log.epochs.at(-1).evaluation.testAccuracy);
    const e = run(['server/cli/eval-cnn.ts', '--model', `${out}/model`, '--json'], { FASHION_MNIST_DIR: FIXTURE });
    expect(e.status, e.stderr).toBe(0);
    const evaluated = JSON.parse(e.stdout);
    expect(evaluated.mirrorAveraging).toBe(true);
    expect(evaluated.accuracy).toBe(log.mirrorAveraging.withMirror.testAccuracy);
    // the network alone, without the test-time mirror: what training measured
    expect(evaluated.bareAccuracy).toBe(log.mirrorAveraging.withoutMirror.testAccuracy);
    await rm(out, { recursive: true, force: true });
  }, 120_000);

  it('rejects a non-number', () => {
    const r = run(['server/cli/train-cnn.ts', '--lr', 'fast']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/"fast" is not a number/);
  }, 60_000);

  it.each([
    [['--filters', '32,64'], /^error: Invalid CNN option --filters 32,64: three comma-separated whole numbers/],
    [['--dense', '0'], /^error: Invalid CNN option --dense 0: /],
    [['--dropout', '0.95'], /^error: Invalid CNN option --dropout 0.95: /],
  ])(
    'rejects the architecture %s in one line naming the flag, before any data loads',
    (args, message) => {
      const r = run(['server/cli/train-cnn.ts', ...args, '--data-dir', '/nonexistent', '--out', '/nonexistent/out']);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1); // before the backend starts
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
    },
    60_000,
  );
});

describe('finetune:sketch', () => {
  it.each([
    [['--steps', '0'], /^error: --steps is 0: give a whole number from 1 to 100,000\./],
    [['--batch-size', '-5'], /^error: --batch-size is -5: give a whole number from 1 to 1,024\./],
    [['--lr', '1e-3abc'], /"1e-3abc" is not a number/],
  ])(
    'rejects %s before it loads anything',
    (args, message) => {
      const r = run(['server/cli/finetune-sketch.ts', ...args, '--model', '/nonexistent/model']);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    60_000,
  );
});
