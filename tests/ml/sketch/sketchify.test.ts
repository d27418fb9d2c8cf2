import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { mulberry32 } from '../../../server/ml/data/random';
import { buildDrawingSet } from '../../../server/ml/sketch/drawingSet';
import { centreOfMass, PIXELS, SIDE } from '../../../lib/sketch/preprocess';
import { sketchify } from '../../../server/ml/sketch/sketchify';

const FIXTURES = 'tests/fixtures/fashion-mnist';

describe('sketchify', async () => {
  const test = await loadSplit('test', FIXTURES);
  const photo = (i: number): Uint8Array => test.images.subarray(i * PIXELS, (i + 1) * PIXELS);
  const firstOf = (label: number): number => test.labels.indexOf(label);

  it('turns a filled garment into an outline: bright rim, dark middle, centred', () => {
    const i = firstOf(0); // T-shirt: a big filled shape
    const drawing = sketchify(photo(i), mulberry32(1), { internalEdges: 0 });
    expect(drawing).toHaveLength(784);
    const photoMass = Array.from(photo(i)).reduce((a, b) => a + b / 255, 0);
    const drawingMass = drawing.reduce((a, b) => a + b, 0);
    expect(drawingMass).toBeLessThan(0.75 * photoMass);
    expect(Math.max(...drawing)).toBeGreaterThan(0.9);
    // The middle of a T-shirt drawing is empty paper, the centre of mass near (14, 14).
    expect(drawing[14 * SIDE + 14]).toBeLessThan(0.05);
    const com = centreOfMass(drawing)!;
    expect(Math.abs(com.x - 14)).toBeLessThan(1.2);
    expect(Math.abs(com.y - 14)).toBeLessThan(1.2);
  });

  it('depends only on the random source: same seed, same drawing; other seed, other drawing', () => {
    const i = firstOf(9);
    const a = sketchify(photo(i), mulberry32(7));
    const b = sketchify(
      Float32Array.from(photo(i), (v) => v / 255),
      mulberry32(7),
    );
    const c = sketchify(photo(i), mulberry32(8));
    let same = 0;
    let other = 0;
    for (let p = 0; p < PIXELS; p++) {
      same = Math.max(same, Math.abs(a[p]! - b[p]!));
      other = Math.max(other, Math.abs(a[p]! - c[p]!));
    }
    expect(same).toBeLessThan(1e-5);
    expect(other).toBeGreaterThan(0.2);
  });

  it('builds a reproducible drawing set with the labels of the photos', () => {
    const small = { images: test.images.subarray(0, 20 * PIXELS), labels: test.labels.subarray(0, 20), count: 20 };
    const a = buildDrawingSet(small, 3);
    const b = buildDrawingSet(small, 3);
    expect(a.count).toBe(20);
    expect(Array.from(a.labels)).toEqual(Array.from(small.labels));
    expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
    // Every drawing has ink.
    for (let i = 0; i < 20; i++)
      expect(Math.max(...a.images.subarray(i * PIXELS, (i + 1) * PIXELS))).toBeGreaterThan(200);
  });
});
