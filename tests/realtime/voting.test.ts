/**
 * Voting over real Socket.IO against a real PostgreSQL: identity on the handshake, 50 people
 * voting at once (with duplicates and changes) ending in exact tallies everywhere, refusals with a
 * reason, the host's close and the gallery, breeding lineage, a restart that loses nothing, and
 * variations of a gallery item drawn by the VAE version that made it.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerModelVersion } from '../../server/db/repositories/modelVersions';
import { closeRound, createRound, roundTallies } from '../../server/db/repositories/votes';
import { CandidateGenerator } from '../../server/realtime/voting/generator';
import type { VoteRoundState, VoteTally } from '../../lib/protocol';
import { createFreshPostgres, type FreshPostgres } from '../helpers/freshDatabase';
import type { TestClient } from '../helpers/server';
import { expectRejoinSeesVotes, expectStoredTallies, patternTallies } from '../helpers/votes';
import {
  connectWithCookie,
  ok,
  pickNickname,
  request,
  startVotingServer,
  TINY_PRIOR_MEAN,
  tinyModelFolders,
  type TinyModels,
  type VotingServer,
} from '../identity/harness';

let pg: FreshPostgres;
let models: TinyModels;
let server: VotingServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  pg = await createFreshPostgres();
  models = await tinyModelFolders();
  server = await startVotingServer(models, { votesPerSecond: 20 }, pg);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
  await pg?.drop();
  await models?.remove();
});

async function person(nickname: string): Promise<{ client: TestClient; cookie: string; id: string }> {
  const { cookie, guest } = await pickNickname(server.url, nickname);
  const client = await connectWithCookie(server.url, cookie);
  clients.push(client);
  return { client, cookie, id: guest.id };
}

describe('identity on the socket', () => {
  it('refuses writes without a cookie or with a forged one, with the reason', async () => {
    const anonymous = await connectWithCookie(server.url);
    clients.push(anonymous);
    const start = await request(anonymous, 'vote:start', { room: 'anon' });
    expect(start).toEqual({ ok: false, error: expect.stringMatching(/Pick a nickname first/) });
    // Reads still work for anyone.
    expect((await request(anonymous, 'gallery:list', {})).ok).toBe(true);

    const { cookie, guest } = await pickNickname(server.url, 'mallory');
    const otherId = '00000000-0000-4000-8000-000000000000';
    const forged = cookie.replace(guest.id, otherId);
    const forger = await connectWithCookie(server.url, forged);
    clients.push(forger);
    const reply = await request(forger, 'collection:create', { title: 'mine now' });
    expect(reply).toEqual({ ok: false, error: expect.stringMatching(/not issued by this server/) });
    const tampered = await connectWithCookie(server.url, cookie.slice(0, -2) + 'xx');
    clients.push(tampered);
    expect((await request(tampered, 'vote:start', { room: 'anon' })).ok).toBe(false);
  });
});

describe('a voting round', () => {
  let round: VoteRoundState;
  let host: Awaited<ReturnType<typeof person>>;

  it('is the same for everyone and ends with exact tallies after 50 people vote at once', async () => {
    host = await person('host');
    const started = await ok(host.client, 'vote:start', { room: 'vote', durationSeconds: 120 });
    round = started.round;
    expect(round.candidates).toHaveLength(6);
    expect(round.state).toBe('open');

    const people = await Promise.all(Array.from({ length: 50 }, (_, i) => person(`voter ${i}`)));
    const seen = new Map<TestClient, Map<number, VoteTally>>();
    for (const p of people) {
      const m = new Map<number, VoteTally>();
      seen.set(p.client, m);
      p.client.on('vote:tally', ({ tallies }) => tallies.forEach((t) => m.set(t.candidateId, t)));
    }
    const joined = await Promise.all(people.map((p) => ok(p.client, 'vote:join', { room: 'vote' })));
    for (const j of joined) expect(j.round!.candidates.map((c) => c.id)).toEqual(round.candidates.map((c) => c.id));

    // Each person: votes up on candidate (i % 6), repeats that vote (duplicate), votes down on
    // (i+1) % 6 and then changes it to up; every third person withdraws the first vote.
    const ids = round.candidates.map((c) => c.id);
    await Promise.all(
      people.map(async (p, i) => {
        const a = ids[i % 6]!;
        const b = ids[(i + 1) % 6]!;
        await Promise.all([
          ok(p.client, 'vote:cast', { roundId: round.id, candidateId: a, value: 1 }),
          ok(p.client, 'vote:cast', { roundId: round.id, candidateId: a, value: 1 }),
        ]);
        await ok(p.client, 'vote:cast', { roundId: round.id, candidateId: b, value: -1 });
        await ok(p.client, 'vote:cast', { roundId: round.id, candidateId: b, value: 1 });
        if (i % 3 === 0) await ok(p.client, 'vote:cast', { roundId: round.id, candidateId: a, value: 0 });
      }),
    );
    const want = patternTallies(ids, people.length);

    await expectStoredTallies(server.db, round.id, want);
    await expect
      .poll(() =>
        people.every((p) =>
          ids.every((id, k) => JSON.stringify(seen.get(p.client)!.get(id)) === JSON.stringify(want[k])),
        ),
      )
      .toBe(true);
    await expectRejoinSeesVotes(people[1]!.client, ids, want);
  }, 60_000);

  it('refuses an unknown candidate, a non-host close and too many votes, with a reason', async () => {
    const p = await person('eager');
    const unknown = await request(p.client, 'vote:cast', { roundId: round.id, candidateId: 999_999, value: 1 });
    expect(unknown).toEqual({ ok: false, error: expect.stringMatching(/not in round/) });
    const noRound = await request(p.client, 'vote:cast', {
      roundId: 999_999,
      candidateId: round.candidates[0]!.id,
      value: 1,
    });
    expect(noRound).toEqual({ ok: false, error: expect.stringMatching(/no round/) });
    const bad = await request(p.client, 'vote:cast', {
      roundId: round.id,
      candidateId: round.candidates[0]!.id,
      value: 5 as 1,
    });
    expect(bad.ok).toBe(false);
    const close = await request(p.client, 'vote:close', { roundId: round.id });
    expect(close).toEqual({ ok: false, error: expect.stringMatching(/Only the host \(host\)/) });
    const twice = await request(p.client, 'vote:start', { room: 'vote' });
    expect(twice).toEqual({ ok: false, error: expect.stringMatching(/already open/) });

    const replies = await Promise.all(
      Array.from({ length: 30 }, () =>
        request(p.client, 'vote:cast', { roundId: round.id, candidateId: round.candidates[5]!.id, value: -1 }),
      ),
    );
    const refused = replies.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused[0]).toEqual({ ok: false, error: expect.stringMatching(/Too many votes: at most 20 per second/) });
  });

  it('starts one round when several people start one in the same room at the same moment', async () => {
    const people = await Promise.all(['racer one', 'racer two', 'racer three', 'racer four'].map((n) => person(n)));
    // Each from its own socket, twice: the requests interleave in the handlers' awaits.
    const replies = await Promise.all(
      people.flatMap((p) => [0, 1].map(() => request(p.client, 'vote:start', { room: 'race', durationSeconds: 15 }))),
    );
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    for (const r of replies.filter((x) => !x.ok))
      expect(r).toEqual({ ok: false, error: expect.stringMatching(/already open/) });
    const open = server.voting.rooms.openRound('race')!;
    await ok(people.find((p) => p.id === open.stored.hostId)!.client, 'vote:close', { roundId: open.id });
  });

  it('closes by the host; winners enter the gallery; a closed round refuses votes', async () => {
    const watcher = await person('watcher');
    await ok(watcher.client, 'vote:join', { room: 'vote' });
    const pushed = new Promise<VoteRoundState>((resolve) => watcher.client.once('vote:round', resolve));
    const { round: closed } = await ok(host.client, 'vote:close', { roundId: round.id });
    expect(closed.state).toBe('closed');
    expect((await pushed).winners).toEqual(closed.winners);
    expect(closed.winners.length).toBe(3);
    const items = await server.db.galleryItem.findMany({ orderBy: { score: 'desc' } });
    expect(items.map((i) => i.candidateId).sort()).toEqual(closed.winners.map((w) => w.candidateId).sort());
    const tallies = new Map(closed.tallies.map((t) => [t.candidateId, t]));
    for (const item of items) {
      expect(item.score).toBe(tallies.get(item.candidateId)!.up - tallies.get(item.candidateId)!.down);
      expect(item.latent).toHaveLength(8);
      // Fresh candidates are drawn from the model's fitted latent prior, not from N(0, I).
      for (const v of item.latent) expect(Math.abs(v - TINY_PRIOR_MEAN)).toBeLessThan(0.1);
      expect(item.authorId).toBe(host.id);
    }
    const late = await request(watcher.client, 'vote:cast', {
      roundId: round.id,
      candidateId: round.candidates[0]!.id,
      value: 1,
    });
    expect(late).toEqual({ ok: false, error: expect.stringMatching(/closed/) });

    const list = await ok(watcher.client, 'gallery:list', { sort: 'votes' });
    expect(list.total).toBe(3);
    expect(list.items[0]!.score).toBeGreaterThanOrEqual(list.items[2]!.score);
  });

  it('breeds the next round from the winners and shows the lineage', async () => {
    const { round: next } = await ok(host.client, 'vote:start', { room: 'vote', durationSeconds: 15 });
    expect(next.number).toBe(2);
    expect(next.parentRoundId).toBe(round.id);
    const winners = new Set((await server.db.galleryItem.findMany()).map((g) => g.candidateId));
    for (const c of next.candidates) {
      expect(['mutation', 'crossover']).toContain(c.origin);
      expect(c.parentIds.length).toBeGreaterThan(0);
      for (const id of c.parentIds) expect(winners.has(id)).toBe(true);
    }
    expect(next.parents.map((p) => p.id).sort()).toEqual([...winners].sort());
  });
});

describe('a restart', () => {
  it('loses no vote, gallery item or collection, and the open round keeps its tallies', async () => {
    const p = await person('survivor');
    const open = server.voting.rooms.openRound('vote')!;
    const candidateId = open.stored.candidates[0]!.id;
    await ok(p.client, 'vote:cast', { roundId: open.id, candidateId, value: 1 });
    const item = (await server.db.galleryItem.findFirst())!;
    const col = await ok(p.client, 'collection:create', { title: 'Keepers', public: false });
    await ok(p.client, 'collection:add', { id: col.id, galleryItemId: item.id });
    const before = { votes: await server.db.vote.count(), items: await server.db.galleryItem.count() };

    await server.close();
    server = await startVotingServer(models, { votesPerSecond: 20 }, pg);

    expect(await server.db.vote.count()).toBe(before.votes);
    expect(await server.db.galleryItem.count()).toBe(before.items);
    const again = await connectWithCookie(server.url, p.cookie);
    clients.push(again);
    const joined = await ok(again, 'vote:join', { room: 'vote' });
    expect(joined.round!.id).toBe(open.id);
    expect(joined.round!.tallies.find((t) => t.candidateId === candidateId)).toEqual({ candidateId, up: 1, down: 0 });
    expect(joined.myVotes).toEqual([{ candidateId, value: 1 }]);
    const kept = await ok(again, 'collection:get', { id: col.id });
    expect(kept.items.map((i) => i.galleryItemId)).toEqual([item.id]);
    expect(kept.yours).toBe(true);
    // The restored round still takes votes and closes.
    await ok(again, 'vote:cast', { roundId: open.id, candidateId, value: -1 });
    expect((await roundTallies(server.db, open.id))[0]).toEqual({ candidateId, up: 0, down: 1 });
  }, 30_000);
});

describe("a gallery item's variations", () => {
  /** A gallery item won in a round of `modelVersionId`'s (its latent is that decoder's). */
  async function itemBy(modelVersionId: number | null): Promise<number> {
    const host = await server.db.guest.create({ data: { nickname: 'maker' } });
    const round = await createRound(server.db, {
      room: `made-by-${modelVersionId}-${Math.random()}`,
      label: null,
      hostId: host.id,
      modelVersionId,
      parentRoundId: null,
      seed: 1,
      closesAt: new Date(Date.now() + 60_000),
      candidates: [
        {
          label: 3,
          latent: Array(8).fill(TINY_PRIOR_MEAN),
          confidence: 0.9,
          image: new Uint8Array([137, 80, 78, 71]),
          origin: 'fresh',
          parentIds: [],
        },
      ],
    });
    await closeRound(server.db, round.id, [{ candidateId: round.candidates[0]!.id, up: 1, down: 0 }]);
    return (await server.db.galleryItem.findUniqueOrThrow({ where: { candidateId: round.candidates[0]!.id } })).id;
  }

  const version = (dir: string, run: string) =>
    registerModelVersion(server.db, { kind: 'vae', name: run, path: dir, params: 1, trainingLog: { run } });

  it('are drawn by the VAE version that made the item, not the served one', async () => {
    // Another VAE version in its own folder (the tiny VAE's files, copied).
    const otherDir = path.join(path.dirname(models.vaeDir), 'other-vae');
    await cp(models.vaeDir, otherDir, { recursive: true });
    const other = await version(otherDir, 'other');
    const id = await itemBy(other.id);
    const p = await person('browser');
    const generate = vi.spyOn(CandidateGenerator.prototype, 'generate');
    try {
      const { images } = await ok(p.client, 'gallery:variations', { id, count: 2 });
      expect(images).toHaveLength(2);
      expect(generate.mock.contexts.map((g) => path.resolve((g as CandidateGenerator).vaeDir))).toEqual([
        path.resolve(otherDir),
      ]);
    } finally {
      generate.mockRestore();
    }
  }, 60_000);

  it('are refused, with the reason, for an item whose model is unknown or gone', async () => {
    const p = await person('curious');
    const unknown = await itemBy(null);
    expect(await request(p.client, 'gallery:variations', { id: unknown, count: 2 })).toEqual({
      ok: false,
      error: `Gallery item ${unknown} was made by a model this server did not record, so it cannot draw variations of it.`,
    });
    const gone = await version(path.join(path.dirname(models.vaeDir), 'deleted-vae'), 'deleted');
    const orphan = await itemBy(gone.id);
    expect(await request(p.client, 'gallery:variations', { id: orphan, count: 2 })).toEqual({
      ok: false,
      error: expect.stringMatching(
        new RegExp(`^Gallery item ${orphan} was made by model version ${gone.id}, which this server can no longer use`),
      ),
    });
  });
});
