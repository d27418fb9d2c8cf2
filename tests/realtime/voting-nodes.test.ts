/**
 * Voting across web nodes (issue 20): two nodes of one playground on one Redis and one database.
 * A round opened through node A lives on node A; joins, votes and the close arriving at node B are
 * forwarded there and answered as if local; every client on both nodes ends with the same tallies,
 * which the stored votes match exactly. A round whose node is gone is refused with a sentence while
 * its owner key stands, then taken over, with its votes and its timer, by the node the next request
 * arrives at (closed at once when its time is past).
 */
import { describe, expect, it } from 'vitest';
import type { VoteRoundState, VoteTally } from '../../lib/protocol';
import { castVote, createRound } from '../../server/db/repositories/votes';
import { OWNER_GONE } from '../../server/realtime/voting/forwarding';
import { uniquePrefix } from '../helpers/redis';
import type { TestClient } from '../helpers/server';
import { expectRejoinSeesVotes, expectStoredTallies, patternTallies } from '../helpers/votes';
import { ok, pickNickname, request, type VotingServer, withTinyNodes } from '../identity/harness';

const redisPrefix = uniquePrefix();
const nodes = withTinyNodes({ redisPrefix, voting: { settings: { votesPerSecond: 20 } } });

async function person(node: VotingServer, nickname: string) {
  const { cookie, guest } = await pickNickname(node.url, nickname);
  return { client: await nodes.connect(node, cookie), cookie, id: guest.id };
}

const ownerKey = (room: string) => `${redisPrefix}vote:owner:${room}`;

describe('a round opened on node A', () => {
  let host: Awaited<ReturnType<typeof person>>;

  it('tallies votes cast through both nodes exactly, for every client and in the database', async () => {
    host = await person(nodes.a, 'host');
    const { round } = await ok(host.client, 'vote:start', { room: 'vote', durationSeconds: 120 });
    expect(await nodes.a.redis!.get(ownerKey('vote'))).toBe(nodes.a.voting.rooms.owners!.node);
    expect(nodes.b.voting.rooms.openRound('vote')).toBeNull();
    const ids = round.candidates.map((c) => c.id);

    // Ten guests, every other one on node B; each also has a tab on the other node.
    const people = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const [home, away] = i % 2 === 0 ? [nodes.a, nodes.b] : [nodes.b, nodes.a];
        const p = await person(home, `voter ${i}`);
        return { ...p, other: await nodes.connect(away, p.cookie) };
      }),
    );
    const watchers = [host.client, ...people.map((p) => p.client)];
    const seen = new Map<TestClient, Map<number, VoteTally>>(watchers.map((c) => [c, new Map()]));
    for (const c of watchers)
      c.on('vote:tally', ({ tallies }) => tallies.forEach((t) => seen.get(c)!.set(t.candidateId, t)));
    const joined = await Promise.all(watchers.map((c) => ok(c, 'vote:join', { room: 'vote' })));
    for (const j of joined) {
      expect(j.round!.id).toBe(round.id);
      expect(j.round!.candidates.map((c) => c.id)).toEqual(ids);
    }

    // Guest i keeps candidate i % 6 through both tabs at once (the same vote twice, from two
    // nodes: it counts once), discards (i + 1) % 6 and changes that to keep through the other tab;
    // every third guest then withdraws the first vote.
    const cast = (c: TestClient, candidateId: number, value: -1 | 0 | 1) =>
      ok(c, 'vote:cast', { roundId: round.id, candidateId, value });
    await Promise.all(
      people.map(async (p, i) => {
        const a = ids[i % 6]!;
        const b = ids[(i + 1) % 6]!;
        const replies = await Promise.all([cast(p.client, a, 1), cast(p.other, a, 1)]);
        for (const r of replies) expect(r.value).toBe(1);
        await cast(p.client, b, -1);
        await cast(p.other, b, 1);
        if (i % 3 === 0) await cast(p.other, a, 0);
      }),
    );
    const want = patternTallies(ids, people.length);

    await expectStoredTallies(nodes.a.db, round.id, want);
    await expect
      .poll(() =>
        watchers.every((c) => ids.every((id, k) => JSON.stringify(seen.get(c)!.get(id)) === JSON.stringify(want[k]))),
      )
      .toBe(true);
    // A guest of node B rejoining gets the owner's live state, with their own votes.
    await expectRejoinSeesVotes(people[1]!.client, ids, want);
  }, 30_000);

  it("applies node A's rules to requests through node B: one round per room, the host's close", async () => {
    const round = nodes.a.voting.rooms.openRound('vote')!;
    const guestB = await person(nodes.b, 'late');
    expect(await request(guestB.client, 'vote:start', { room: 'vote' })).toEqual({
      ok: false,
      error: expect.stringMatching(/already open/),
    });
    expect(await request(guestB.client, 'vote:close', { roundId: round.id })).toEqual({
      ok: false,
      error: expect.stringMatching(/Only the host \(host\)/),
    });
    const unknown = await request(guestB.client, 'vote:cast', { roundId: round.id, candidateId: 999_999, value: 1 });
    expect(unknown).toEqual({ ok: false, error: expect.stringMatching(/not in round/) });

    // The host closes it from a tab on node B; clients of both nodes get the closed round.
    const hostOnB = await nodes.connect(nodes.b, host.cookie);
    const watchA = await person(nodes.a, 'watcher A');
    await ok(watchA.client, 'vote:join', { room: 'vote' });
    await ok(guestB.client, 'vote:join', { room: 'vote' });
    const pushed = [watchA.client, guestB.client].map(
      (c) => new Promise<VoteRoundState>((resolve) => c.once('vote:round', resolve)),
    );
    const { round: closed } = await ok(hostOnB, 'vote:close', { roundId: round.id });
    expect(closed.state).toBe('closed');
    expect(closed.winners.length).toBeGreaterThan(0);
    for (const p of await Promise.all(pushed)) expect(p.winners).toEqual(closed.winners);
    expect(await nodes.a.redis!.get(ownerKey('vote'))).toBeNull();
    expect(nodes.a.voting.rooms.openRound('vote')).toBeNull();
    const late = await request(guestB.client, 'vote:cast', {
      roundId: round.id,
      candidateId: round.stored.candidates[0]!.id,
      value: 1,
    });
    expect(late).toEqual({ ok: false, error: expect.stringMatching(/closed/) });
  }, 30_000);
});

describe('a round left open past its time by a node that is gone', () => {
  it('is closed, with its votes, by the node the next request arrives at', async () => {
    // As a crashed node leaves it once its owner key has expired: open in the database, held nowhere.
    const host = await person(nodes.a, 'gone host');
    const voter = await person(nodes.a, 'gone voter');
    const stored = await createRound(nodes.a.db, {
      room: 'expired',
      label: null,
      hostId: host.id,
      modelVersionId: null,
      parentRoundId: null,
      seed: 1,
      closesAt: new Date(Date.now() - 1000),
      candidates: [
        { label: 3, latent: [1], confidence: 0.9, image: new Uint8Array([1]), origin: 'fresh', parentIds: [] },
      ],
    });
    const candidateId = stored.candidates[0]!.id;
    await castVote(nodes.a.db, candidateId, voter.id, 1);
    expect(await nodes.a.redis!.get(ownerKey('expired'))).toBeNull();

    const watcher = await person(nodes.b, 'gone watcher');
    const { round } = await ok(watcher.client, 'vote:join', { room: 'expired' });
    expect(round).toMatchObject({ id: stored.id, state: 'closed', tallies: [{ candidateId, up: 1, down: 0 }] });
    expect(round!.winners.map((w) => w.candidateId)).toEqual([candidateId]);
    expect((await nodes.a.db.voteRound.findUniqueOrThrow({ where: { id: stored.id } })).state).toBe('closed');
    expect(nodes.b.voting.rooms.openRound('expired')).toBeNull();
    expect(await nodes.a.redis!.get(ownerKey('expired'))).toBeNull();
    // The room is free: a new round starts in it.
    const { round: next } = await ok(voter.client, 'vote:start', {
      room: 'expired',
      durationSeconds: 60,
      breed: false,
    });
    expect(next.number).toBe(stored.number + 1);
    await ok(voter.client, 'vote:close', { roundId: next.id });
  }, 30_000);
});

describe('a round whose node is gone', () => {
  it('is refused with a sentence while its owner key stands, then taken over with its votes by node A', async () => {
    const host = await person(nodes.b, 'ghost host');
    const voter = await person(nodes.a, 'ghost voter');
    const { round } = await ok(host.client, 'vote:start', { room: 'ghost', durationSeconds: 120 });
    const candidateId = round.candidates[0]!.id;
    await ok(voter.client, 'vote:cast', { roundId: round.id, candidateId, value: 1 });

    // Node B stops without freeing its room, as a crashed node would.
    const owner = await nodes.a.redis!.get(ownerKey('ghost'));
    expect(owner).toBe(nodes.b.voting.rooms.owners!.node);
    await nodes.b.close();
    await nodes.a.redis!.set(ownerKey('ghost'), owner!, 'PX', 15_000);

    const startedAt = Date.now();
    const refused = await request(voter.client, 'vote:cast', { roundId: round.id, candidateId, value: -1 });
    expect(refused).toEqual({ ok: false, error: OWNER_GONE });
    expect(Date.now() - startedAt).toBeLessThan(7000);
    expect(await nodes.a.redis!.get(ownerKey('ghost'))).toBeNull();

    // The next request takes the round over on node A, with its votes: it counts votes again, and
    // is still the room's round until it closes.
    const other = round.candidates[1]!.id;
    expect((await ok(voter.client, 'vote:cast', { roundId: round.id, candidateId: other, value: 1 })).tally).toEqual({
      candidateId: other,
      up: 1,
      down: 0,
    });
    expect(nodes.a.voting.rooms.openRound('ghost')?.tallies().slice(0, 2)).toEqual([
      { candidateId, up: 1, down: 0 },
      { candidateId: other, up: 1, down: 0 },
    ]);
    expect(await nodes.a.redis!.get(ownerKey('ghost'))).toBe(nodes.a.voting.rooms.owners!.node);
    expect(await request(voter.client, 'vote:start', { room: 'ghost' })).toEqual({
      ok: false,
      error: expect.stringMatching(/already open/),
    });

    // Its host closes it through node A; winners enter the gallery, and the next round opens.
    const hostOnA = await nodes.connect(nodes.a, host.cookie);
    expect((await ok(hostOnA, 'vote:close', { roundId: round.id })).round.state).toBe('closed');
    expect(await nodes.a.db.galleryItem.findMany({ where: { candidateId } })).toHaveLength(1);
    const { round: next } = await ok(voter.client, 'vote:start', { room: 'ghost', durationSeconds: 60 });
    expect(next.number).toBe(round.number + 1);
    expect(await nodes.a.redis!.get(ownerKey('ghost'))).toBe(nodes.a.voting.rooms.owners!.node);
  }, 30_000);
});
