/**
 * Drawing rooms across web nodes (issue 20): two nodes of one playground on one Redis and one
 * database. A room opened through node A lives on node A; a guesser on node B joins it, sees the
 * round and the strokes, and its guesses are judged by node A's rules and limits; every client of
 * both nodes ends with the same guesses and winner. Players whose node went away are dropped, and
 * a room whose node is gone is refused with a sentence, then opens anew on the next join.
 */
import { describe, expect, it } from 'vitest';
import type { RoomDrawing, RoomState } from '../../lib/protocol';
import { roomOwnerGone } from '../../server/realtime/draw/forwarding';
import { uniquePrefix } from '../helpers/redis';
import type { TestClient } from '../helpers/server';
import { ok, pickNickname, request, type VotingServer, withTinyNodes } from '../identity/harness';

const redisPrefix = uniquePrefix();
const nodes = withTinyNodes(async () => {
  const { RELAXED_LIMITS } = await import('../../server/limits');
  return {
    redisPrefix, // One guess per guest every 3 s in a room (the default), to see the owner count it for the guest.
    limits: { ...RELAXED_LIMITS, roomGuess: { ...RELAXED_LIMITS.roomGuess, guest: { points: 1, seconds: 3 } } },
    draw: { playerCheckMs: 200 },
  };
});

/** A guest (nickname cookie) connected to `node`; `tab` connects the same guest again, anywhere. */
async function person(node: VotingServer, nickname: string) {
  const { cookie } = await pickNickname(node.url, nickname);
  const tab = (on: VotingServer) => nodes.connect(on, cookie);
  return { client: await tab(node), tab };
}

/** The next push of `event` to `c` that satisfies `where`. */
function next<E extends 'room:state' | 'room:drawing'>(
  c: TestClient,
  event: E,
  where: (p: E extends 'room:state' ? RoomState : RoomDrawing) => boolean = () => true,
): Promise<E extends 'room:state' ? RoomState : RoomDrawing> {
  type P = E extends 'room:state' ? RoomState : RoomDrawing;
  const on = c.on.bind(c) as unknown as (e: string, f: (p: P) => void) => void;
  const off = c.off.bind(c) as unknown as (e: string, f: (p: P) => void) => void;
  return new Promise((resolve) => {
    const listener = (p: P) => {
      if (!where(p)) return;
      off(event, listener);
      resolve(p);
    };
    on(event, listener);
  });
}

const ownerKey = (room: string) => `${redisPrefix}draw:owner:${room}`;
const stroke = { points: [10, 10, 200, 10, 200, 200], width: 6, tool: 'pen' as const };

describe('a drawing room opened on node A', () => {
  it("plays a round with guessers on node B: they see it drawn, node A's rules judge them, every client agrees", async () => {
    const ann = await person(nodes.a, 'Ann');
    const joined = await ok(ann.client, 'room:join', { roomId: 'atelier', nickname: 'ignored' });
    const owner = await nodes.a.redis!.get(ownerKey('atelier'));
    expect(owner).toMatch(/^[0-9a-f]{12}$/);

    // Bob and Eve play through node B; Bob also has a tab on node A. The guest's nickname wins, as on one node.
    const [bob, eve] = [await person(nodes.b, 'Bob'), await person(nodes.b, 'Eve')];
    const annSeesBob = next(ann.client, 'room:state', (s) => s.players.length === 2);
    const bobJoined = await ok(bob.client, 'room:join', { roomId: 'atelier', nickname: 'typed' });
    expect(bobJoined.state.players.map((p) => p.nickname)).toEqual(['Ann', 'Bob']);
    expect((await annSeesBob).players.map((p) => p.nickname)).toEqual(['Ann', 'Bob']);
    const bobOnA = await bob.tab(nodes.a);
    await ok(bobOnA, 'room:join', { roomId: 'atelier', nickname: 'Bob' });
    await ok(eve.client, 'room:join', { roomId: 'atelier', nickname: 'Eve' });
    expect(await nodes.a.redis!.get(ownerKey('atelier'))).toBe(owner);
    const everyone = [ann.client, bob.client, bobOnA, eve.client];

    // The round and the strokes reach node B; the garment and the model's guess do not.
    const bobSeesRound = next(bob.client, 'room:state', (s) => s.status === 'drawing');
    const { round, target } = await ok(ann.client, 'room:start', { roomId: 'atelier' });
    expect(await bobSeesRound).toMatchObject({ round, status: 'drawing', answer: null, drawerId: joined.playerId });
    const eveSeesStroke = next(eve.client, 'room:drawing', (d) => d.strokes.length === 1);
    expect((await ok(ann.client, 'room:draw', { roomId: 'atelier', strokes: [stroke] }))?.probabilities).toHaveLength(
      10,
    );
    expect(await eveSeesStroke).toMatchObject({ round, strokes: [stroke], recognition: null });

    // Node A's rules, for requests through node B.
    expect(await request(bob.client, 'room:draw', { roomId: 'atelier', strokes: [stroke] })).toEqual({
      ok: false,
      error: expect.stringMatching(/^You are not drawing in this room right now/),
    });
    expect(await request(bob.client, 'room:start', { roomId: 'atelier' })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Ann is drawing this round/),
    });
    const wrong = (target + 1) % 10;
    expect(await ok(bob.client, 'room:guess', { roomId: 'atelier', label: wrong })).toEqual({
      correct: false,
      first: false,
    });
    // Bob's guess through node B counted for Bob: his tab on node A must wait.
    expect(await request(bobOnA, 'room:guess', { roomId: 'atelier', label: target })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many guesses: at most 1 per 3 seconds per person/),
    });

    const last = new Map<TestClient, RoomState>();
    for (const c of everyone) c.on('room:state', (s) => last.set(c, s));
    const overSeen = everyone.map((c) => next(c, 'room:state', (s) => s.status === 'over'));
    const revealed = next(bob.client, 'room:drawing', (d) => d.recognition !== null);
    const eveGuess = await ok(eve.client, 'room:guess', { roomId: 'atelier', label: target });
    const over = await overSeen[0]!;
    expect(over.answer).toBe(target);
    expect(over.guesses.filter((g) => g.playerId !== null).map((g) => [g.name, g.label, g.correct])).toEqual([
      ['Bob', wrong, false],
      ['Eve', target, true],
    ]);
    // Eve was right first, unless the untrained model happened to be confidently right before her.
    expect(eveGuess).toEqual({ correct: true, first: over.firstCorrect?.name === 'Eve' });
    expect(over.firstCorrect?.name).toBe(over.guesses.find((g) => g.correct)!.name);
    for (const seen of await Promise.all(overSeen)) expect(seen).toEqual(over);
    expect((await revealed).recognition?.probabilities).toHaveLength(10);
    for (const c of everyone) expect(last.get(c)).toEqual(over);
  }, 30_000);

  it('loses a player of node B who leaves, disconnects, or whose node stops saying so', async () => {
    const watcher = await person(nodes.a, 'Watcher');
    await ok(watcher.client, 'room:join', { roomId: 'porch', nickname: 'Watcher' });
    const [gus, hal, ivy] = [await person(nodes.b, 'Gus'), await person(nodes.b, 'Hal'), await person(nodes.b, 'Ivy')];
    for (const p of [gus, hal, ivy]) await ok(p.client, 'room:join', { roomId: 'porch', nickname: 'x' });
    const players = (s: RoomState) => s.players.map((p) => p.nickname);

    const gusGone = next(watcher.client, 'room:state', (s) => !players(s).includes('Gus'));
    await ok(gus.client, 'room:leave', { roomId: 'porch' });
    expect(players(await gusGone)).toEqual(['Watcher', 'Hal', 'Ivy']);

    const halGone = next(watcher.client, 'room:state', (s) => !players(s).includes('Hal'));
    hal.client.disconnect();
    expect(players(await halGone)).toEqual(['Watcher', 'Ivy']);

    // Ivy's node lets go of her connection without telling node A (as a crashed node would):
    // node A's check of its players finds her in the room's channel on no node.
    const ivyGone = next(watcher.client, 'room:state', (s) => !players(s).includes('Ivy'));
    nodes.b.io.in(ivy.client.id!).socketsLeave('draw-room:porch');
    expect(players(await ivyGone)).toEqual(['Watcher']);

    // The last player out frees the room's name for every node.
    await ok(watcher.client, 'room:leave', { roomId: 'porch' });
    expect(await nodes.a.redis!.get(ownerKey('porch'))).toBeNull();
  }, 30_000);
});

describe('a drawing room whose node is gone', () => {
  it('is refused with a sentence and its key cleared; the next join opens it anew', async () => {
    const host = await person(nodes.b, 'Host');
    const guest = await person(nodes.a, 'Guest');
    await ok(host.client, 'room:join', { roomId: 'loft', nickname: 'Host' });
    await ok(guest.client, 'room:join', { roomId: 'loft', nickname: 'Guest' });
    await ok(host.client, 'room:start', { roomId: 'loft' });

    // Node B stops without freeing its room, as a crashed node would (once its model has loaded,
    // so that stopping interrupts nothing else).
    const owner = await nodes.a.redis!.get(ownerKey('loft'));
    expect(owner).not.toBeNull();
    await nodes.b.playground.recognizer.model();
    await nodes.b.close();
    await nodes.a.redis!.set(ownerKey('loft'), owner!, 'PX', 15_000);

    const startedAt = Date.now();
    expect(await request(guest.client, 'room:guess', { roomId: 'loft', label: 3 })).toEqual({
      ok: false,
      error: roomOwnerGone('loft'),
    });
    expect(Date.now() - startedAt).toBeLessThan(7000);
    expect(await nodes.a.redis!.get(ownerKey('loft'))).toBeNull();

    const reopened = await ok(guest.client, 'room:join', { roomId: 'loft', nickname: 'Guest' });
    expect(reopened.state).toMatchObject({ round: 0, status: 'waiting', players: [{ nickname: 'Guest' }] });
    const ownerNow = await nodes.a.redis!.get(ownerKey('loft'));
    expect(ownerNow).not.toBeNull();
    expect(ownerNow).not.toBe(owner);
  }, 30_000);
});
