/** Which training images a model never saw, read from its training log along the chain of runs behind it. */
import { describe, expect, it } from 'vitest';
import { heldOutCount } from '../../../server/ml/training/heldOut';

const held = (n: number) => ({ validationImages: n, config: { validationCount: n } });

describe('heldOutCount', () => {
  it('reads a run that held out images, and a run (or a log) that did not', () => {
    expect(heldOutCount(held(5000))).toBe(5000);
    expect(heldOutCount({ config: { validationCount: 5000 } })).toBe(5000);
    expect(heldOutCount({ config: { validationCount: 0 } })).toBe(0);
    expect(heldOutCount({})).toBe(0);
    expect(heldOutCount(undefined)).toBe(0);
  });

  it('follows fine-tuning: a run started from a model that trained on the images saw them', () => {
    expect(heldOutCount({ ...held(5000), initialisedFrom: { log: held(5000) } })).toBe(5000);
    expect(heldOutCount({ ...held(5000), initialisedFrom: { log: {} } })).toBe(0);
    expect(heldOutCount({ ...held(5000), initialisedFrom: { log: held(3000) } })).toBe(0);
  });

  it('follows weight averages: every ingredient must have held out the same images', () => {
    expect(heldOutCount({ averageOf: [{ log: held(5000) }, { log: held(5000) }] })).toBe(5000);
    expect(heldOutCount({ averageOf: [{ log: held(5000) }, { log: {} }] })).toBe(0);
    expect(heldOutCount({ averageOf: [{ log: held(5000) }, { log: held(2000) }] })).toBe(0);
    expect(heldOutCount({ averageOf: [] })).toBe(0);
  });
});
