import { describe, expect, it } from 'vitest';
import { imageAt } from '../../../lib/image';
import {
  batchIndices,
  batchShape,
  imageBatch,
  indicesByClass,
  labelBatch,
  oneHotBatch,
} from '../../../server/ml/data/batches';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { FIXTURE_DIR } from './fixture';

describe('batches', () => {
  it('builds normalized [b, 28, 28, 1] float batches from indices', async () => {
    const test = await loadSplit('test', FIXTURE_DIR);
    const indices = [5, 0, 999];
    const batch = imageBatch(test.images, indices);
    expect(batchShape(indices.length)).toEqual([3, 28, 28, 1]);
    expect(batch.length).toBe(3 * 784);
    expect(Math.min(...batch)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...batch)).toBeLessThanOrEqual(1);
    // Pixel (row 14, col 10) of the second batch item is image 0's, divided by 255.
    expect(batch[784 + 14 * 28 + 10]).toBeCloseTo(test.images[14 * 28 + 10]! / 255, 6);
    expect(Array.from(batch.subarray(2 * 784), (v) => Math.round(v * 255))).toEqual(
      Array.from(imageAt(test.images, 999)),
    );
    expect(Array.from(labelBatch(test.labels, indices))).toEqual(indices.map((i) => test.labels[i]));
    const oneHot = oneHotBatch(test.labels, indices);
    expect(oneHot.length).toBe(30);
    expect(oneHot[10 + test.labels[0]!]).toBe(1);
    expect(oneHot.reduce((s, v) => s + v, 0)).toBe(3);
  });

  it('reuses an output buffer and rejects bad indices', () => {
    const images = new Uint8Array(2 * 784).fill(255);
    const out = new Float32Array(4 * 784);
    expect(imageBatch(images, [1], out)).toBe(out);
    expect(out[0]).toBe(1);
    expect(() => imageBatch(images, [2])).toThrow(/image index 2 is outside 0-1/);
  });

  it('cuts an order into batches, optionally dropping the short last one', () => {
    const order = Uint32Array.from({ length: 10 }, (_, i) => i);
    expect([...batchIndices(order, 4)].map((b) => b.length)).toEqual([4, 4, 2]);
    expect([...batchIndices(order, 4, true)].map((b) => b.length)).toEqual([4, 4]);
    expect(() => [...batchIndices(order, 0)]).toThrow(/batch size 0/);
  });

  it('groups indices by class', () => {
    const groups = indicesByClass(Uint8Array.from([1, 0, 1, 1, 9]), 2);
    expect(groups[0]).toEqual([1]);
    expect(groups[1]).toEqual([0, 2]);
    expect(groups[9]).toEqual([4]);
  });
});
