import { describe, expect, it } from 'vitest';
import { createSharedMemory, ReplicaSync } from '../../../server/ml/training/sync';

/** Fills every replica's slot with a deterministic gradient; returns the syncs. */
function replicasWithSlots(replicas: number, paramCount: number): ReplicaSync[] {
  const memory = createSharedMemory(replicas, paramCount);
  return Array.from({ length: replicas }, (_, r) => {
    const sync = new ReplicaSync(memory, r);
    for (let i = 0; i < paramCount; i++) sync.mySlot[i] = Math.sin(r * 7 + i) * (r + 1);
    return sync;
  });
}

describe('ReplicaSync.averageShare (each replica averages its share of the gradient)', () => {
  it.each([
    [2, 11, [0.5, 0.5]],
    [3, 10, [0.4, 0.3, 0.3]],
    [3, 7, [0.5, 0, 0.5]],
    [2, 1, [0.5, 0.5]],
  ])(
    '%i replicas, %i parameters, weights %j: the shares together are the weighted mean of every slot',
    (n, p, weights) => {
      const syncs = replicasWithSlots(n, p);
      const expected = syncs[0]!.average(weights);
      for (const sync of syncs) sync.averageShare(weights); // in training: between two barriers
      expect(Array.from(syncs[0]!.averaged)).toEqual(Array.from(expected));
      // every replica sees the same result (one shared buffer)
      expect(Array.from(syncs.at(-1)!.averaged)).toEqual(Array.from(expected));
    },
  );

  it('a shorter length averages only that prefix, leaving the rest as it was', () => {
    const [a, b] = replicasWithSlots(2, 8);
    a!.averaged.fill(42);
    a!.averageShare([0.5, 0.5], 5);
    b!.averageShare([0.5, 0.5], 5);
    expect(Array.from(a!.averaged.subarray(0, 5))).toEqual(Array.from(a!.average([0.5, 0.5], 5)));
    expect(Array.from(a!.averaged.subarray(5))).toEqual([42, 42, 42]);
  });
});
