/**
 * VotingRooms against a real PostgreSQL whose client the test can make fail or wait at one call:
 * a close on time that hits a database error is tried again (the round does not stay open with no
 * timer), and a room's state taken while a vote arrives carries that vote (its tallies are read
 * when the state is sent, not before its queries).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoteRoundState } from '../../lib/protocol';
import { openDb, type Db, type OpenDb } from '../../server/db';
import { closeRound, createRound, type CandidateInput } from '../../server/db/repositories/votes';
import type { GuestIdentity } from '../../server/identity';
import type { CandidateGenerator } from '../../server/realtime/voting/generator';
import { VotingRooms } from '../../server/realtime/voting/rooms';
import { createFreshPostgres, type FreshPostgres } from '../helpers/freshDatabase';

let pg: FreshPostgres;
let opened: OpenDb;
let host: GuestIdentity;

beforeAll(async () => {
  pg = await createFreshPostgres();
  opened = await openDb({ kind: 'postgresql', url: pg.url });
  host = await opened.db.guest.create({ data: { nickname: 'host' } });
}, 120_000);

afterAll(async () => {
  await opened?.close();
  await pg?.drop();
});

const candidate = (parentIds: number[] = []): CandidateInput => ({
  label: 3,
  latent: [0.5, -1],
  confidence: 0.9,
  image: new Uint8Array([137, 80, 78, 71]),
  origin: parentIds.length ? 'mutation' : 'fresh',
  parentIds,
});

const roundIn = (room: string, closesAt: Date, candidates: CandidateInput[], parentRoundId: number | null = null) =>
  createRound(opened.db, {
    room,
    label: null,
    hostId: host.id,
    modelVersionId: null,
    parentRoundId,
    seed: 1,
    closesAt,
    candidates,
  });

/** The database client with `overrides` in place of some of its members (the rest as they are). */
function dbWith(db: Db, overrides: Record<string | symbol, (real: unknown) => unknown>): Db {
  return new Proxy(db, {
    get(target, prop) {
      const real = Reflect.get(target, prop);
      const value = typeof real === 'function' ? real.bind(target) : real;
      return prop in overrides ? overrides[prop]!(value) : value;
    },
  });
}

function roomsOn(db: Db, pushed: VoteRoundState[] = []): VotingRooms {
  return new VotingRooms(async () => db, {} as CandidateGenerator, { round: (s) => pushed.push(s), tally: () => {} });
}

describe('a round closing on time', () => {
  it('is closed by a later try when the first one hits a database error', async () => {
    const stored = await roundIn('flaky', new Date(Date.now() - 1000), [candidate()]);
    let failures = 0;
    const flaky = dbWith(opened.db, {
      $transaction: (real) =>
        failures === 0
          ? async () => {
              failures++;
              throw new Error('connection to the database lost');
            }
          : real,
    });
    const pushed: VoteRoundState[] = [];
    const rooms = roomsOn(flaky, pushed);
    try {
      // Restored past its deadline: its timer fires at once, and the first close fails.
      expect(await rooms.restore()).toBe(1);
      await expect.poll(() => failures).toBe(1);
      // The second try closes it: stored, let go here, and pushed to the room once.
      await expect.poll(() => pushed.map((s) => [s.id, s.state]), { timeout: 20_000 }).toEqual([[stored.id, 'closed']]);
      expect((await opened.db.voteRound.findUniqueOrThrow({ where: { id: stored.id } })).state).toBe('closed');
      expect(rooms.openRound('flaky')).toBeNull();
    } finally {
      await rooms.dispose();
    }
  }, 30_000);
});

describe('open rounds at start', () => {
  it('are reloaded by a later try when the database was down at the first', async () => {
    const stored = await roundIn('restart', new Date(Date.now() + 60_000), [candidate()]);
    let down = true;
    const rooms = new VotingRooms(
      async () => {
        if (down) throw new Error('connection to the database refused');
        return opened.db;
      },
      {} as CandidateGenerator,
      { round: () => {}, tally: () => {} },
    );
    try {
      await rooms.restoreRetrying(200);
      expect(rooms.openRound('restart')).toBeNull();
      down = false;
      // Held here again, with its timer: it closes on time instead of staying open for good.
      await expect.poll(() => rooms.openRound('restart')?.id, { timeout: 5000 }).toBe(stored.id);
    } finally {
      await rooms.dispose();
      await closeRound(opened.db, stored.id, []);
    }
  }, 30_000);
});

describe("a room's state", () => {
  it('carries a vote that arrived while its queries ran', async () => {
    const first = await roundIn('lineage', new Date(Date.now() + 60_000), [candidate()]);
    await closeRound(opened.db, first.id, []);
    const parentId = first.candidates[0]!.id;
    const bred = await roundIn('lineage', new Date(Date.now() + 60_000), [candidate([parentId])], first.id);

    // The parents' query (describe's first await on the database) waits until the test lets it go.
    let release = () => {};
    let entered = () => {};
    const inQuery = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    let gated = false;
    const slow = dbWith(opened.db, {
      candidate: (real) =>
        gated
          ? {
              findMany: async (args: unknown) => {
                entered();
                await gate;
                return (real as { findMany(a: unknown): Promise<unknown> }).findMany(args);
              },
            }
          : real,
    });
    const rooms = roomsOn(slow);
    try {
      await rooms.restore();
      const voter = await opened.db.guest.create({ data: { nickname: 'voter' } });
      gated = true;
      const state = rooms.state('lineage');
      await inQuery;
      gated = false;
      const cast = await rooms.cast(voter, bred.id, bred.candidates[0]!.id, 1);
      expect(cast).toEqual({ candidateId: bred.candidates[0]!.id, up: 1, down: 0 });
      release();
      expect((await state)!.tallies).toEqual([cast]);
    } finally {
      await rooms.dispose();
    }
  }, 30_000);
});
