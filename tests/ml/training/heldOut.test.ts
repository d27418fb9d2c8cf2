/** Which training images a model never saw, read from its training log along the chain of runs behind it. */
import { describe, expect, it } from 'vitest';
import { heldOutCount, heldOutDataDir, heldOutText, trainedDataDirs } from '../../../server/ml/training/heldOut';

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

describe('the data folder of the held-out images', () => {
  const from = (dataDir: string) => ({ ...held(5000), config: { validationCount: 5000, dataDir } });

  it('reads the folders every run behind a model trained from, each once', () => {
    expect(trainedDataDirs(held(5000))).toEqual([]);
    expect(trainedDataDirs(from('data/a'))).toEqual(['data/a']);
    expect(trainedDataDirs({ averageOf: [{ log: from('data/a') }, { log: from('./data/a') }] })).toEqual(['data/a']);
    expect(trainedDataDirs({ ...from('data/a'), initialisedFrom: { log: from('data/b') } })).toEqual([
      'data/a',
      'data/b',
    ]);
  });

  it('takes --data-dir, else the folder the logs name, else the default; refuses folders that disagree', () => {
    const model = (dir: string, dataDirs: string[]) => ({ dir, count: 5000, dataDirs, logged: true });
    const fallback = () => 'default';
    expect(heldOutDataDir([model('cnn', []), model('vae', [])], undefined, fallback)).toBe('default');
    expect(heldOutDataDir([model('cnn', []), model('vae', ['data/a'])], undefined, fallback)).toBe('data/a');
    expect(heldOutDataDir([model('cnn', ['data/a'])], './data/a', fallback)).toBe('./data/a');
    expect(heldOutDataDir([model('cnn', [])], 'data/b', fallback)).toBe('data/b');
    expect(() => heldOutDataDir([model('cnn', ['data/a'])], 'data/b', fallback)).toThrow(
      'cnn held out the last 5000 training images of data/a, not of data/b',
    );
    expect(() => heldOutDataDir([model('cnn', ['data/a']), model('vae', ['data/b'])], undefined, fallback)).toThrow(
      'cnn trained on data/a but vae on data/b',
    );
    expect(() => heldOutDataDir([model('cnn', ['data/a', 'data/b'])], undefined, fallback)).toThrow(
      'the runs behind cnn trained on data/a and on data/b: it has no one held-out split',
    );
  });

  it('says what a model held out, or that its log is missing', () => {
    expect(heldOutText({ dir: 'm', count: 5000, dataDirs: [], logged: true })).toBe(
      'm held out the last 5000 images of the training set',
    );
    expect(heldOutText({ dir: 'm', count: 0, dataDirs: [], logged: true })).toBe('m trained on all training images');
    expect(heldOutText({ dir: 'm', count: 0, dataDirs: [], logged: false })).toMatch(
      /m has no readable training-log\.json/,
    );
  });
});
