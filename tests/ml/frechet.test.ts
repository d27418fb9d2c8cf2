import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../server/ml/data/random';
import { standardNormal } from '../../server/ml/models/sample';
import { frechetDistance } from '../../server/ml/frechet';
import { cholesky, matMul, moments, sqrtSymmetric, symmetricEigen } from '../../server/ml/linalg';

/** A random symmetric positive definite n x n matrix B B^T + n I. */
function randomSpd(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const b = Float64Array.from({ length: n * n }, () => r() - 0.5);
  const bt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bt[j * n + i] = b[i * n + j]!;
  const m = matMul(b, bt, n);
  for (let i = 0; i < n; i++) m[i * n + i]! += n * 0.1;
  return m;
}

const maxAbsDiff = (a: Float64Array, b: Float64Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('symmetric eigendecomposition (Jacobi)', () => {
  it('reconstructs the matrix from V diag(L) V^T and has orthonormal vectors', () => {
    const n = 24;
    const m = randomSpd(n, 3);
    const { values, vectors } = symmetricEigen(m, n);
    const vl = new Float64Array(n * n);
    const vt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        vl[i * n + j] = vectors[i * n + j]! * values[j]!;
        vt[j * n + i] = vectors[i * n + j]!;
      }
    }
    expect(maxAbsDiff(matMul(vl, vt, n), m)).toBeLessThan(1e-9);
    const identity = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
    expect(maxAbsDiff(matMul(vt, vectors, n), identity)).toBeLessThan(1e-10);
  });

  it('finds the known eigenvalues of a 2x2 matrix', () => {
    const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect([...values].sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
  });

  it('factors a positive definite matrix as L L^T, and refuses an indefinite one', () => {
    const n = 12;
    const m = randomSpd(n, 8);
    const l = cholesky(m, n);
    const lt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lt[j * n + i] = l[i * n + j]!;
    expect(maxAbsDiff(matMul(l, lt, n), m)).toBeLessThan(1e-10);
    expect(l[0 * n + 1]).toBe(0);
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it('gives a square root whose square is the matrix', () => {
    const n = 16;
    const m = randomSpd(n, 5);
    const r = sqrtSymmetric(m, n);
    expect(maxAbsDiff(matMul(r, r, n), m)).toBeLessThan(1e-9);
  });
});

describe('Fréchet distance', () => {
  const dim = 8;
  const count = 2000;
  const a = standardNormal(1, dim * count);

  it('is ~0 for identical sets', () => {
    expect(frechetDistance(a, a, dim)).toBeLessThan(1e-8);
  });

  it('grows as one set is shifted further', () => {
    const shifted = (by: number) => a.map((v, i) => (i % dim === 0 ? v + by : v));
    const d1 = frechetDistance(a, shifted(0.5), dim);
    const d2 = frechetDistance(a, shifted(1), dim);
    const d3 = frechetDistance(a, shifted(2), dim);
    // A pure mean shift of s along one axis adds exactly s^2.
    expect(d1).toBeCloseTo(0.25, 6);
    expect(d2).toBeCloseTo(1, 6);
    expect(d3).toBeCloseTo(4, 6);
  });

  it('matches the closed form for Gaussians with different scales', () => {
    // N(0, I) vs N(0, 4 I) in dim dimensions: Tr(I + 4I - 2*2I) = dim.
    const b = standardNormal(2, dim * count);
    const scaled = a.map((v) => 2 * v);
    expect(frechetDistance(b, scaled, dim)).toBeCloseTo(dim, 0);
    // The same sample scaled by 2: exactly Tr(S) + |mean|^2 of the sample.
    const m = moments(a, dim);
    let expected = 0;
    for (let d = 0; d < dim; d++) expected += m.cov[d * dim + d]! + m.mean[d]! ** 2;
    expect(frechetDistance(a, scaled, dim)).toBeCloseTo(expected, 8);
  });

  it('agrees with the moments of a set with correlated features', () => {
    const m = moments(Float64Array.from([1, 2, 2, 4, 3, 6]), 2);
    expect([...m.mean]).toEqual([2, 4]);
    expect([...m.cov]).toEqual([1, 2, 2, 4]);
  });
});
