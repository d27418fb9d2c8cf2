import { describe, expect, it } from 'vitest';
import { epochOrder, mulberry32, shuffledIndices } from '../../../server/ml/data/random';

describe('seeded randomness', () => {
  it('mulberry32 is reproducible, in [0, 1) and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(Array.from({ length: 10000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  it('the same seed gives the same shuffled order; it is a permutation; other seeds differ', () => {
    const order = shuffledIndices(60000, 7);
    const again = shuffledIndices(60000, 7);
    expect(again.every((v, i) => v === order[i])).toBe(true);
    const seen = new Uint8Array(60000);
    order.forEach((i) => seen[i]++);
    expect(seen.every((n) => n === 1)).toBe(true);
    const other = shuffledIndices(60000, 8);
    const same = order.filter((v, i) => other[i] === v).length;
    expect(same).toBeLessThan(20);
    // Shuffled, not the identity.
    expect(order.filter((v, i) => v === i).length).toBeLessThan(20);
  });

  it('pins the order for one seed, so a change of generator (which changes every run) is noticed', () => {
    expect(Array.from(shuffledIndices(10, 1))).toEqual([7, 8, 3, 2, 1, 5, 9, 4, 0, 6]);
  });

  it('epochOrder differs per epoch and repeats for the same (seed, epoch)', () => {
    expect(epochOrder(1000, 3, 1)).toEqual(epochOrder(1000, 3, 1));
    expect(epochOrder(1000, 3, 1)).not.toEqual(epochOrder(1000, 3, 2));
  });
});
