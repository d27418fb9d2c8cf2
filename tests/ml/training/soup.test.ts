/** The greedy soup's choice, with a score whose every value is known (a sum of per-ingredient costs). */
import { describe, expect, it } from 'vitest';
import { greedySoup } from '../../../server/ml/training/soup';

// Lower is better. A soup's score: the mean of its members' costs, plus a penalty per member of
// the "far" kind (a model from another basin: averaging with it hurts).
const cost: Record<string, number> = { a: 3, b: 2, c: 2.5, far: 1.9 };
const score = async (members: readonly string[]) =>
  members.reduce((s, m) => s + cost[m]!, 0) / members.length + (members.includes('far') && members.length > 1 ? 5 : 0);

describe('greedySoup', () => {
  it('starts from the best ingredient alone and keeps each next one only when the soup does not get worse', async () => {
    const lines: string[] = [];
    const soup = await greedySoup(['a', 'b', 'c', 'far'], score, (l) => lines.push(l));
    expect(soup.alone.map((x) => x.ingredient)).toEqual(['far', 'b', 'c', 'a']);
    expect(soup.chosen).toEqual(['far']); // every average with "far" is worse than it alone
    expect(soup.steps.map((s) => s.kept)).toEqual([false, false, false]);
    expect(soup.score).toBe(1.9);
    expect(lines).toHaveLength(4 + 3);

    const withoutFar = await greedySoup(['a', 'b', 'c'], score);
    // b alone 2; b+c 2.25: worse, left out; b+a 2.5: worse, left out
    expect(withoutFar.chosen).toEqual(['b']);
    expect(withoutFar.steps).toEqual([
      { added: 'c', members: ['b', 'c'], score: 2.25, kept: false },
      { added: 'a', members: ['b', 'a'], score: 2.5, kept: false },
    ]);
  });

  it('keeps ingredients that improve the average, and ties', async () => {
    // An average better than its members: the score of a soup falls with its size.
    const shrinking = async (members: readonly string[]) => 2 / members.length;
    const soup = await greedySoup(['x', 'y', 'z'], shrinking);
    expect(soup.chosen).toEqual(['x', 'y', 'z']);
    expect(soup.steps.map((s) => s.members)).toEqual([
      ['x', 'y'],
      ['x', 'y', 'z'],
    ]);
    expect(soup.score).toBeCloseTo(2 / 3, 12);
    const flat = await greedySoup(['x', 'y'], async () => 1);
    expect(flat.chosen).toEqual(['x', 'y']);
  });

  it('refuses no ingredients and an ingredient that cannot be scored', async () => {
    await expect(greedySoup([], score)).rejects.toThrow(/at least one ingredient/);
    await expect(greedySoup(['a', 'nan'], async (m) => (m.includes('nan') ? Number.NaN : 1))).rejects.toThrow(
      /ingredient nan scored NaN/,
    );
    await expect(greedySoup(['a', 'b'], async (m) => (m.length > 1 ? Number.POSITIVE_INFINITY : 1))).rejects.toThrow(
      /the soup of a, b scored Infinity/,
    );
  });
});
