/**
 * The recognizer's report card: `npm run eval:cnn -- --out <dir>` writes report-card.png (the
 * confusion-matrix heat map, per-class bars and the most confident mistakes), and the drawing
 * itself sizes to the mistakes it shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawReportCard } from '../../server/ml/assessment/reportCard';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const sizeOf = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('report card', () => {
  it('draws the matrix, the bars and one row of mistakes per eight', () => {
    const matrix = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 90 : 1)));
    const mistake = { image: new Uint8Array(784).fill(200), label: 6, predicted: 0, confidence: 0.97 };
    const input = {
      title: 'test',
      accuracy: 0.9,
      testImages: 1000,
      perClassAccuracy: new Array(10).fill(0.9),
      confusionMatrix: matrix,
    };
    const few = drawReportCard({ ...input, mistakes: [mistake] });
    const many = drawReportCard({ ...input, mistakes: new Array(20).fill(mistake) });
    expect(few.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(sizeOf(few).width).toBe(1200);
    expect(sizeOf(many).height).toBeGreaterThan(sizeOf(few).height); // three rows instead of one
  });

  it('eval:cnn --out writes report-card.png for the committed model', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'report-card-'));
    try {
      const r = spawnSync(
        'node_modules/.bin/tsx',
        ['server/cli/eval-cnn.ts', '--model', 'models/cnn', '--json', '--out', out],
        {
          encoding: 'utf8',
          env: { ...process.env, FASHION_MNIST_DIR: 'tests/fixtures/fashion-mnist' },
          timeout: 180_000,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`wrote ${path.join(out, 'report-card.png')}`);
      expect(JSON.parse(r.stdout.trim()).testImages).toBe(1000);
      const png = await readFile(path.join(out, 'report-card.png'));
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(sizeOf(png)).toEqual({ width: 1200, height: expect.any(Number) });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 200_000);
});
