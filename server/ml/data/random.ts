/**
 * The one source of seeded randomness in the project: a small PRNG (mulberry32) and the shuffles
 * built on it, so that a seed reproduces a training run's data order on any machine, in worker
 * threads and in the browser. Pure (no Node APIs).
 */

export type Random = () => number;

/** mulberry32: 32-bit state, uniform floats in [0, 1). Fast and good enough for data order. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n). */
export const randomInt = (random: Random, n: number): number => Math.floor(random() * n);

/** Shuffles in place (Fisher-Yates) and returns the same array. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(items: T, random: Random): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** 0..n-1 in an order that depends only on the seed. */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, mulberry32(seed));
}

/** The data order of one epoch: different per epoch, reproducible from (seed, epoch). */
export const epochOrder = (n: number, seed: number, epoch: number): Uint32Array =>
  shuffledIndices(n, (Math.imul(seed >>> 0, 0x9e3779b1) + epoch) >>> 0);
