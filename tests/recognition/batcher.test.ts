/**
 * The micro-batcher on its own: batches fill up to their size, connections take turns within a
 * batch, and a batch that fails answers every request in it with the error (the next still runs).
 * Ordering only: no timed assertions.
 */
import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../server/recognition/batcher';

describe('MicroBatcher', () => {
  it('runs requests that arrive together as one batch, at most maxBatch at a time, answering each its own', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>({
      maxBatch: 4,
      maxWaitMs: 20,
      run: (xs) => (batches.push(xs), xs.map((x) => x * 10)),
    });
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit('a' + x, x)));
    expect(answers).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(b.batchSizes).toEqual([4, 2]);
  });

  it('takes connections in turn: one flooding connection does not push another out of the next batch', async () => {
    const batches: string[][] = [];
    const b = new MicroBatcher<string, string>({ maxBatch: 4, maxWaitMs: 20, run: (xs) => (batches.push(xs), xs) });
    const flood = Array.from({ length: 10 }, (_, i) => b.submit('flooder', `f${i}`));
    const other = [b.submit('other', 'o0'), b.submit('other', 'o1')];
    const third = b.submit('third', 't0');
    await Promise.all([...flood, ...other, third]);
    // The flooder's 10 arrived first, yet the first batch holds one of each connection's oldest.
    expect(batches[0]).toEqual(['f0', 'o0', 't0', 'f1']);
    expect(batches[1]).toEqual(['o1', 'f2', 'f3', 'f4']);
    expect(batches.flat().sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `f${i}`), 'o0', 'o1', 't0'].sort());
  });

  it('answers every request of a failing batch with its error, and keeps serving later batches', async () => {
    let calls = 0;
    const b = new MicroBatcher<number, number>({
      maxBatch: 8,
      maxWaitMs: 20,
      run: (xs) => {
        if (calls++ === 0) throw new Error('The model file is broken.');
        return xs;
      },
    });
    const failed = await Promise.allSettled([1, 2, 3].map((x) => b.submit(`s${x}`, x)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of failed) expect((r as PromiseRejectedResult).reason.message).toBe('The model file is broken.');
    expect(await b.submit('s1', 7)).toBe(7);
  });

  it('fails a batch whose run returns the wrong number of answers', async () => {
    const b = new MicroBatcher<number, number>({ maxBatch: 8, maxWaitMs: 5, run: (xs) => xs.slice(1) });
    const settled = await Promise.allSettled([b.submit('a', 1), b.submit('b', 2)]);
    for (const r of settled) expect((r as PromiseRejectedResult).reason.message).toBe('a batch of 2 got 1 answers');
  });
});

describe('MicroBatcher without a timer (maxWaitMs 0)', () => {
  it('batches what arrived in the same turn, and what arrives while a batch runs into the next one', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const b = new MicroBatcher<number, number>({
      maxBatch: 8,
      maxWaitMs: 0,
      run: async (xs) => {
        batches.push(xs);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return xs;
      },
    });
    const first = [1, 2, 3].map((x) => b.submit(`s${x}`, x));
    await new Promise((r) => setImmediate(r));
    // The first batch is running; these wait for it to end.
    const second = [4, 5].map((x) => b.submit(`s${x}`, x));
    release();
    expect(await Promise.all([...first, ...second])).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
});
