import { describe, expect, it } from 'vitest';
import { isAverage, logsBehind } from '../../../server/ml/training/logChain';

describe('logsBehind', () => {
  it('lists the averaged runs in order, then the run a fine-tune started from, with where each sits', () => {
    const a = { kind: 'vae', startedAt: 'a' };
    const b = { kind: 'vae', startedAt: 'b' };
    const start = { kind: 'vae', startedAt: 'start' };
    expect(
      logsBehind({
        averageOf: [
          { dir: 'x', log: a },
          { dir: 'y', log: b },
        ],
        initialisedFrom: { log: start },
      }),
    ).toEqual([
      { link: 'averageOf', at: 'averageOf.0', log: a },
      { link: 'averageOf', at: 'averageOf.1', log: b },
      { link: 'initialisedFrom', at: 'initialisedFrom', log: start },
    ]);
  });

  it('finds nothing behind a plain run, a non-object or a malformed link', () => {
    expect(logsBehind({ kind: 'cnn', epochs: [] })).toEqual([]);
    expect(logsBehind(undefined)).toEqual([]);
    expect(logsBehind('text')).toEqual([]);
    expect(logsBehind({ averageOf: 'not a list' })).toEqual([]);
    expect(logsBehind({ averageOf: [null] })).toEqual([{ link: 'averageOf', at: 'averageOf.0', log: undefined }]);
  });

  it('tells a weight average from a run, even an average of nothing', () => {
    expect(isAverage({ averageOf: [] })).toBe(true);
    expect(isAverage({ initialisedFrom: { log: {} } })).toBe(false);
    expect(isAverage(null)).toBe(false);
  });
});
