import { describe, expect, it } from 'vitest';
import { fitGaussianMixture } from '../../../server/ml/models/mixture';
import { standardNormal } from '../../../server/ml/models/sample';

/** `n` points of N(centre, sd^2 I) in `dim` dimensions. */
function blob(centre: number[], sd: number, n: number, seed: number): Float64Array {
  const dim = centre.length;
  const noise = standardNormal(seed, n * dim);
  return Float64Array.from(noise, (v, i) => centre[i % dim]! + sd * v);
}

const concat = (...parts: Float64Array[]) => {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
};

describe('Gaussian mixture (EM)', () => {
  it('with one component is the mean and covariance of the points', () => {
    const points = Float64Array.from([0, 0, 2, 0, 0, 4, 2, 4]);
    const { components } = fitGaussianMixture(points, 2, { components: 1, seed: 1, ridge: 0 });
    expect(components).toHaveLength(1);
    expect(components[0]!.weight).toBe(1);
    expect(Array.from(components[0]!.mean)).toEqual([1, 2]);
    expect(Array.from(components[0]!.cov)).toEqual([1, 0, 0, 4]);
  });

  it('finds two separated clusters, their weights and spreads', () => {
    const points = concat(blob([-5, 0, 1], 0.5, 600, 1), blob([5, 2, 1], 1.5, 1400, 2));
    const fit = fitGaussianMixture(points, 3, { components: 2, seed: 3 });
    const [small, large] = [...fit.components].sort((a, b) => a.weight - b.weight);
    expect(small!.weight).toBeCloseTo(0.3, 2);
    expect(large!.weight).toBeCloseTo(0.7, 2);
    expect(small!.mean[0]).toBeCloseTo(-5, 1);
    expect(large!.mean[1]).toBeCloseTo(2, 1);
    expect(Math.sqrt(small!.cov[0]!)).toBeCloseTo(0.5, 1);
    expect(Math.sqrt(large!.cov[4]!)).toBeCloseTo(1.5, 1);
    // Better than one Gaussian by the likelihood EM maximizes, and seeded.
    expect(fit.logLikelihood).toBeGreaterThan(-7);
    expect(fitGaussianMixture(points, 3, { components: 2, seed: 3 })).toEqual(fit);
  });

  it('adds the points own variances to the covariances (aggregate posterior)', () => {
    const points = blob([0, 0], 1, 500, 4);
    const plain = fitGaussianMixture(points, 2, { components: 1, seed: 1 });
    const withVar = fitGaussianMixture(points, 2, {
      components: 1,
      seed: 1,
      pointVariances: new Float64Array(1000).fill(0.25),
    });
    expect(withVar.components[0]!.cov[0]! - plain.components[0]!.cov[0]!).toBeCloseTo(0.25, 10);
    expect(withVar.components[0]!.cov[1]).toBeCloseTo(plain.components[0]!.cov[1]!, 10);
  });

  it('refuses too few points for the components asked', () => {
    expect(() => fitGaussianMixture(new Float64Array(20), 2, { components: 4, seed: 1 })).toThrow(/too few/);
    expect(() => fitGaussianMixture(new Float64Array(20), 2, { components: 0, seed: 1 })).toThrow(/at least 1/);
    // One component only needs two points: fewer points than dimensions still give a usable Gaussian.
    const few = fitGaussianMixture(Float64Array.from([0, 1, 2, 3, 4, 5]), 3, {
      components: 1,
      seed: 1,
      pointVariances: new Float64Array(6).fill(0.1),
    });
    expect(Array.from(few.components[0]!.mean)).toEqual([1.5, 2.5, 3.5]);
    expect(() => fitGaussianMixture(Float64Array.from([0, 1, 2]), 3, { components: 1, seed: 1 })).toThrow(/too few/);
  });
});
