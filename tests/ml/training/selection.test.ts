/**
 * Choosing on validation data: the fixed hold-out of the last training images, random erasing,
 * label smoothing, the weight average (EMA) and the saved model being the validation-best weights,
 * across a checkpoint resume. On the committed real subset.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../server/ml/backend';
import { evaluateClassifier } from '../../../server/ml/models/classifier';
import { holdOutLast, loadSplit, type DatasetSplit } from '../../../server/ml/data/fashionMnist';
import { mulberry32 } from '../../../server/ml/data/random';
import { buildCnn, withMirrorAveraging } from '../../../server/ml/models/cnn';
import { countParams, loadLayersModel } from '../../../server/ml/models/storage';
import { augmentBatch } from '../../../server/ml/training/augment';
import { resumeKey, TrainingConfigSchema } from '../../../server/ml/training/config';
import type { TrainingEvent, TrainingLog } from '../../../server/ml/training/events';
import { startTraining } from '../../../server/ml/training/run';

const FIXTURE = 'tests/fixtures/fashion-mnist';
const tmp = await mkdtemp(path.join(os.tmpdir(), 'fmp-select-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
let train: DatasetSplit;
beforeAll(async () => {
  await initBackend();
  train = await loadSplit('train', FIXTURE);
});

describe('validation hold-out', () => {
  it('is the last N training images, never shuffled, and refuses a set as large as the training set', () => {
    const { rest, heldOut } = holdOutLast(train, 500);
    expect(rest.count).toBe(2500);
    expect(heldOut.count).toBe(500);
    expect(heldOut.labels[0]).toBe(train.labels[2500]);
    expect(Array.from(heldOut.images.subarray(0, 784))).toEqual(
      Array.from(train.images.subarray(2500 * 784, 2501 * 784)),
    );
    expect(() => holdOutLast(train, 3000)).toThrow(/smaller validation count/);
  });
});

describe('augmentation', () => {
  it('without erasing draws the same shifts and mirrors as before (runs stay reproducible)', () => {
    const images = Float32Array.from(train.images.subarray(0, 4 * 784), (v) => v / 255);
    const a = new Float32Array(images.length);
    const b = new Float32Array(images.length);
    augmentBatch(images, a, 4, mulberry32(3), { maxShift: 2, flip: true });
    augmentBatch(images, b, 4, mulberry32(3), { maxShift: 2, flip: true, eraseProb: 0 });
    expect(b).toEqual(a);
  });

  it('random erasing fills one rectangle of 2-25 % of the image with noise', () => {
    const images = new Float32Array(784 * 8); // black images: every non-zero pixel is erased noise
    const out = new Float32Array(images.length);
    augmentBatch(images, out, 8, mulberry32(5), { maxShift: 0, flip: false, eraseProb: 1 });
    for (let n = 0; n < 8; n++) {
      const img = out.subarray(n * 784, (n + 1) * 784);
      const changed = img.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
      expect(changed).toBeGreaterThanOrEqual(Math.floor(0.015 * 784));
      expect(changed).toBeLessThanOrEqual(Math.ceil(0.3 * 784));
      expect(Math.max(...img)).toBeLessThanOrEqual(1);
    }
  });
});

describe('architecture', () => {
  it('two convolutions per stage keep the original names first and stay under 0.7 M parameters', () => {
    const plain = buildCnn({ filters: [32, 64, 128], dense: 256 }, 1);
    const deep = buildCnn({ filters: [32, 64, 128], convs: [1, 2, 2], dense: 256 }, 1);
    const names = (m: typeof plain) => m.layers.map((l) => l.name).filter((n) => /^(conv|bn)/.test(n));
    expect(names(plain)).toEqual(['conv1', 'bn1', 'conv2', 'bn2', 'conv3', 'bn3']);
    expect(names(deep)).toEqual(['conv1', 'bn1', 'conv2', 'bn2', 'conv2b', 'bn2b', 'conv3', 'bn3', 'conv3b', 'bn3b']);
    expect(countParams(plain)).toBe(390_634); // the one-conv-per-stage network (the model served until 2026-12-06)
    expect(countParams(deep)).toBe(575_338); // the models/cnn served until 2026-12-07
    // the committed models/cnn: two convolutions in every stage, the first two stages wider
    expect(countParams(buildCnn({ filters: [40, 80, 128], convs: [2, 2, 2], dense: 256 }, 1))).toBe(639_506);
    expect(countParams(buildCnn({ filters: [32, 64, 128], convs: [1, 1, 3], dense: 256 }, 1))).toBeLessThan(700_000);
    const mirrored = withMirrorAveraging(deep);
    expect(mirrored.outputs[0]!.shape).toEqual([null, 10]);
  });

  it('runs without the new options keep their resume keys (old checkpoints still resume)', () => {
    const cfg = TrainingConfigSchema.parse({ task: 'cnn' });
    expect(resumeKey(cfg)).not.toMatch(/validationCount|labelSmoothing|eraseProb|ema/);
    expect(resumeKey(TrainingConfigSchema.parse({ task: 'cnn', ema: 0.99 }))).toMatch(/"ema":0.99/);
  });
});

describe('choosing on validation', () => {
  const config = (epochs: number) => ({
    task: 'cnn' as const,
    dataDir: FIXTURE,
    epochs,
    batchSize: 64,
    lr: 0.003,
    trainLimit: 1024,
    testLimit: 500,
    replicas: 2,
    batchEventsPerSecond: 100,
    arch: { filters: [8, 16, 16], convs: [1, 2, 1], dense: 32, dropout: 0.1 },
    validationCount: 500,
    labelSmoothing: 0.1,
    eraseProb: 0.5,
    ema: 0.9,
    checkpointDir: path.join(tmp, 'ckpt'),
    outDir: path.join(tmp, 'out'),
  });

  it('scores every epoch on the held-out images, trained and averaged, and saves the best of them; a resume continues the choice', async () => {
    await startTraining(config(2)).done;
    const run = startTraining(config(3));
    const events: TrainingEvent[] = [];
    run.on('event', (e) => events.push(e));
    const result = await run.done;
    expect(events.find((e) => e.type === 'started')).toMatchObject({ startEpoch: 2, trainImages: 1024 });
    const log = JSON.parse(await readFile(path.join(tmp, 'out', 'training-log.json'), 'utf8')) as TrainingLog;
    expect(log).toMatchObject({ validationImages: 500, trainImages: 1024 });
    expect(log.epochs).toHaveLength(3);
    const candidates = log.epochs.flatMap((e) => {
      const ev = e.evaluation as unknown as Record<string, unknown> & { average: Record<string, number> };
      expect(ev.headlineName).toBe('validation accuracy');
      expect(ev.headline).toBe(ev.validationAccuracy);
      expect(typeof ev.testAccuracy).toBe('number');
      return [ev.validationAccuracy as number, ev.average.validationAccuracy!];
    });
    const best = log.selection!.best!;
    expect(best.validationAccuracy).toBe(Math.max(...candidates));
    expect(result.log.selection).toEqual(log.selection);
    // the saved model is the chosen one: it scores exactly the chosen figure on the held-out images
    const model = await loadLayersModel(path.join(tmp, 'out'));
    const { heldOut } = holdOutLast(train, 500);
    const report = await evaluateClassifier(model, heldOut.images, heldOut.labels);
    expect(report.accuracy).toBeCloseTo(best.validationAccuracy!, 6);
    expect(best.validationAccuracy).toBeGreaterThan(0.3);
  }, 300_000);
});
