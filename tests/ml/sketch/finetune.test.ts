/**
 * Fine-tuning on confirmed drawings: a small real CNN, drawings made from real strokes of the
 * fixture's garments (their sketch outlines), a few steps: the loss falls and the drawings it saw
 * are recognised better than before.
 */
import { describe, expect, it } from 'vitest';
import { evaluateClassifier } from '../../../server/ml/models/classifier';
import { initBackend } from '../../../server/ml/backend';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { mulberry32 } from '../../../server/ml/data/random';
import { buildCnn } from '../../../server/ml/models/cnn';
import { sketchify } from '../../../server/ml/sketch/sketchify';
import { fineTune, isHeldOut } from '../../../server/recognition/finetune';

describe('fineTune', async () => {
  await initBackend();
  const train = await loadSplit('train', 'tests/fixtures/fashion-mnist');

  it('lowers the loss and raises accuracy on the drawings it learns from', () => {
    const count = 64;
    const images = new Float32Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      images.set(sketchify(train.images.subarray(i * 784, (i + 1) * 784), mulberry32(i)), i * 784);
      labels[i] = train.labels[i]!;
    }
    const drawings = { images, labels, count };
    const model = buildCnn({ filters: [8, 16, 16], dense: 32, dropout: 0 }, 2);
    return (async () => {
      const before = (await evaluateClassifier(model, images, labels)).accuracy;
      const { firstLoss, lastLoss } = fineTune(model, drawings, train, {
        steps: 60,
        batchSize: 32,
        lr: 3e-3,
        drawingShare: 0.6,
        sketchShare: 0.3,
        seed: 1,
      });
      const after = (await evaluateClassifier(model, images, labels)).accuracy;
      expect(lastLoss).toBeLessThan(firstLoss);
      expect(after).toBeGreaterThan(before + 0.15);
      model.dispose();
    })();
  }, 120_000);

  it('holds out every fifth drawing by id', () => {
    expect([1, 2, 3, 4, 5, 10, 11].filter(isHeldOut)).toEqual([5, 10]);
  });
});
