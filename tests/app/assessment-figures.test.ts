import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../app/assessments/figures';

const value = (f: ReturnType<typeof figuresOf>, name: string) => f.figures.find((x) => x.name === name)?.value;

describe('assessment figures on the page', () => {
  const vae = {
    bestOf: 100,
    perClass: Array.from({ length: 10 }, () => ({ unfiltered: { accuracy: 0.9 }, filtered: { accuracy: 1 } })),
    overall: { unfiltered: { accuracy: 0.92 }, filtered: { accuracy: 1, shareConfident: 1 } },
    frechet: { generatedVsReal: 5.37, realVsReal: 1.04, ratio: 5.16 },
  };
  const averaged = { ...vae, frechet: { ...vae.frechet, splits: 5 } };

  it('shows a VAE assessment with its Fréchet ratio and CAS as the mean of its runs with their spread', () => {
    const f = figuresOf({ ...averaged, cas: { accuracy: 0.78, std: 0.025, runs: [{}, {}, {}] } });
    expect(value(f, 'Fréchet ratio')).toBe('5.2x');
    expect(value(f, 'Fréchet, real vs real (mean of 5 splits)')).toBe('1.04');
    expect(value(figuresOf({ ...averaged, cas: { accuracy: 0.78, std: 0, runs: [{}] } }), 'CAS accuracy')).toBe(
      '78.00 %',
    );
    expect(value(f, 'CAS accuracy, mean of 3 runs')).toBe('78.00 %');
    expect(value(f, 'CAS, sd over runs')).toBe('2.50 %');
    expect(f.perClass.map((s) => s.name)).toEqual(['unfiltered', 'filtered']);
  });

  it('shows the mean over sampling seeds beside the first seed when assess ran with --seeds', () => {
    const f = figuresOf({
      ...averaged,
      overSeeds: { seeds: [1, 2, 3], frechetRatio: 3.0592, plainAccuracy: 0.93187 },
    });
    expect(value(f, 'Fréchet ratio')).toBe('5.2x');
    expect(value(f, 'Fréchet ratio, mean of seeds 1, 2, 3')).toBe('3.06x');
    expect(value(f, 'judge accuracy, unfiltered, mean of seeds 1, 2, 3')).toBe('93.19 %');
    expect(figuresOf(averaged).figures.some((x) => x.name.includes('mean of seeds'))).toBe(false);
  });

  it("shows a mirror-averaging classifier's accuracy as served and of the network alone", () => {
    const served = figuresOf({ accuracy: 0.9382, bareAccuracy: 0.9354, mirrorAveraging: true, testImages: 10000 });
    expect(value(served, 'accuracy')).toBe('93.82 %');
    expect(value(served, 'accuracy, network alone (no mirror)')).toBe('93.54 %');
    const plain = figuresOf({ accuracy: 0.9, bareAccuracy: 0.9, mirrorAveraging: false });
    expect(value(plain, 'accuracy, network alone (no mirror)')).toBeUndefined();
  });

  it('still reads assessments stored before CAS had runs', () => {
    const f = figuresOf({ ...vae, cas: { accuracy: 0.8026 } });
    expect(value(f, 'CAS accuracy')).toBe('80.26 %');
    expect(value(f, 'Fréchet, real vs real')).toBe('1.04');
    expect(f.figures.some((x) => x.name.startsWith('CAS, sd'))).toBe(false);
  });
});
