/**
 * The vote pattern of the voting tests (one node, and across nodes) and what it must leave behind.
 * Voter i votes up on candidate i % 6, down and then up on (i + 1) % 6, and every third voter
 * withdraws the first vote; each test casts it its own way (duplicates, tabs on the other node).
 */
import { expect } from 'vitest';
import type { VoteTally } from '../../lib/protocol';
import type { Db } from '../../server/db';
import { ok, type TestClient } from './server';

/** The tallies the pattern leaves on the round's candidates `ids` after `voters` people cast it. */
export function patternTallies(ids: number[], voters: number): VoteTally[] {
  const tallies = ids.map((candidateId) => ({ candidateId, up: 0, down: 0 }));
  for (let i = 0; i < voters; i++) {
    if (i % 3 !== 0) tallies[i % 6]!.up++;
    tallies[(i + 1) % 6]!.up++;
  }
  return tallies;
}

/** The round's stored votes are exactly `want`: the tallies, and one row per vote (none left over). */
export async function expectStoredTallies(db: Db, roundId: number, want: VoteTally[]): Promise<void> {
  const { roundTallies } = await import('../../server/db/repositories/votes');
  expect(await roundTallies(db, roundId)).toEqual(want);
  expect(await db.vote.count({ where: { candidate: { roundId } } })).toBe(want.reduce((s, t) => s + t.up + t.down, 0));
}

/** Voter 1 of the pattern, joining the room again, gets the tallies and its own two up-votes. */
export async function expectRejoinSeesVotes(voter1: TestClient, ids: number[], want: VoteTally[]): Promise<void> {
  const rejoined = await ok(voter1, 'vote:join', { room: 'vote' });
  expect(rejoined.round!.tallies).toEqual(want);
  expect(rejoined.myVotes).toEqual(
    expect.arrayContaining([
      { candidateId: ids[1], value: 1 },
      { candidateId: ids[2], value: 1 },
    ]),
  );
}
