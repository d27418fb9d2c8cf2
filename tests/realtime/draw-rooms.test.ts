/**
 * Drawing together over real Socket.IO connections: a drawer's strokes reach the watchers with the
 * model's guess, watchers guess, and the room reports who was right first.
 */
import { describe, expect, it } from 'vitest';
import type { RoomDrawing, RoomState } from '../../lib/protocol';
import { ok, withTinyPlayground } from '../identity/harness';
import type { TestClient } from '../helpers/server';
import { MAX_ROOMS_PER_CONNECTION } from '../../server/realtime/draw/roomHandlers';

/** The drawing rooms' guesser is the playground's tiny CNN. */
const playground = withTinyPlayground();

function next<T>(
  c: TestClient,
  event: 'room:state' | 'room:drawing',
  where: (p: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const on = (p: T) => {
      if (!where(p)) return;
      (c as any).off(event, on);
      resolve(p);
    };
    (c as any).on(event, on);
  });
}

describe('drawing rooms', () => {
  it('streams the drawer strokes to watchers, the model guess only once the round ends; the first right guess wins', async () => {
    const [ann, bob, cid] = [await playground.connect(), await playground.connect(), await playground.connect()];
    const joined = await ok(ann, 'room:join', { roomId: 'atelier', nickname: 'Ann' });
    expect(joined.state.players.map((p: { nickname: string }) => p.nickname)).toEqual(['Ann']);
    const bobSeesCid = next<RoomState>(bob, 'room:state', (s) => s.players.length === 3);
    const bobId = (await ok(bob, 'room:join', { roomId: 'atelier', nickname: 'Bob' })).playerId;
    await ok(cid, 'room:join', { roomId: 'atelier', nickname: 'Cid' });
    expect((await bobSeesCid).players.map((p) => p.nickname)).toEqual(['Ann', 'Bob', 'Cid']);

    const bobSeesRound = next<RoomState>(bob, 'room:state', (s) => s.status === 'drawing');
    const { round, target } = await ok(ann, 'room:start', { roomId: 'atelier' });
    const state = await bobSeesRound;
    expect(state).toMatchObject({ round, status: 'drawing', answer: null, drawerId: joined.playerId });

    // The watchers see the strokes as they are drawn, without the model's guess (it would give the answer away).
    const stroke = { points: [10, 10, 200, 10, 200, 200], width: 6, tool: 'pen' as const };
    const bobSeesStroke = next<RoomDrawing>(bob, 'room:drawing', (d) => d.strokes.length === 1);
    const modelReply = await ok(ann, 'room:draw', { roomId: 'atelier', strokes: [stroke] });
    expect(modelReply!.probabilities).toHaveLength(10);
    const seen = await bobSeesStroke;
    expect(seen.strokes).toEqual([stroke]);
    expect(seen.recognition).toBeNull();
    const watcherState = await ok(cid, 'room:join', { roomId: 'atelier', nickname: 'Cid' });
    expect(watcherState.drawing.recognition).toBeNull();
    expect(watcherState.state.guesses.filter((g: { playerId: string | null }) => g.playerId === null)).toEqual([]);

    // Only the drawer draws; the drawer does not guess.
    await expect(ok(bob, 'room:draw', { roomId: 'atelier', strokes: [stroke] })).rejects.toThrow(
      'You are not drawing in this room right now',
    );
    await expect(ok(ann, 'room:guess', { roomId: 'atelier', label: target })).rejects.toThrow(
      'You are the one drawing',
    );

    const wrong = (target + 1) % 10;
    expect(await ok(cid, 'room:guess', { roomId: 'atelier', label: wrong })).toEqual({
      correct: false,
      first: false,
    });
    const cidSeesEnd = next<RoomState>(cid, 'room:state', (s) => s.status === 'over');
    const cidSeesGuess = next<RoomDrawing>(cid, 'room:drawing', (d) => d.recognition !== null);
    const bobGuess = await ok(bob, 'room:guess', { roomId: 'atelier', label: target });
    const over = await cidSeesEnd;
    // Once the round is over the watchers see what the model made of it.
    expect((await cidSeesGuess).recognition?.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(bobGuess).toEqual({ correct: true, first: over.firstCorrect?.playerId === bobId });
    expect(over.answer).toBe(target);
    const people = over.guesses.filter((g) => g.playerId !== null);
    expect(people.map((g) => [g.name, g.correct])).toEqual([
      ['Cid', false],
      ['Bob', true],
    ]);
    // Who was right first: Bob, unless the untrained model happened to be confidently right before.
    expect(over.firstCorrect?.name).toBe(over.guesses.find((g) => g.correct)!.name);
    if (over.firstCorrect?.playerId !== null) expect(over.firstCorrect?.playerId).toBe(bobId);
    await expect(ok(cid, 'room:guess', { roomId: 'atelier', label: target })).rejects.toThrow(
      'No round is being drawn',
    );
  });

  it('refuses a room name it cannot use and actions in rooms the caller has not joined', async () => {
    const c = await playground.connect();
    await expect(ok(c, 'room:join', { roomId: 'Bad Name!', nickname: 'X' })).rejects.toThrow(
      'A room name is 1-32 lower-case letters',
    );
    await expect(ok(c, 'room:start', { roomId: 'elsewhere' })).rejects.toThrow(
      'You are not in room elsewhere: join it first.',
    );
  });

  it('lets one page be in a few rooms at once, not hold the shared rooms: joins sent together count', async () => {
    const c = await playground.connect();
    const names = Array.from({ length: MAX_ROOMS_PER_CONNECTION + 3 }, (_, i) => `hoard${String.fromCharCode(97 + i)}`);
    const replies = await Promise.allSettled(
      names.map((roomId) => ok(c, 'room:join', { roomId, nickname: 'Hoarder' })),
    );
    expect(replies.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_ROOMS_PER_CONNECTION);
    const refused = replies.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(String(r.reason)).toContain('leave one first');
    // Rejoining a room it is in is not a new room; leaving one frees a place.
    const inRooms = names.filter((_, i) => replies[i]!.status === 'fulfilled');
    await ok(c, 'room:join', { roomId: inRooms[0]!, nickname: 'Hoarder' });
    await ok(c, 'room:leave', { roomId: inRooms[0]! });
    const other = names.find((n) => !inRooms.includes(n))!;
    await ok(c, 'room:join', { roomId: other, nickname: 'Hoarder' });
  });

  it('ends the round when the drawer leaves', async () => {
    const [dee, eve] = [await playground.connect(), await playground.connect()];
    await ok(dee, 'room:join', { roomId: 'studio', nickname: 'Dee' });
    await ok(eve, 'room:join', { roomId: 'studio', nickname: 'Eve' });
    const { target } = await ok(dee, 'room:start', { roomId: 'studio' });
    const eveSeesEnd = next<RoomState>(eve, 'room:state', (s) => s.status === 'over');
    dee.disconnect();
    const end = await eveSeesEnd;
    expect(end).toMatchObject({ drawerId: null, answer: target });
    expect(end.players.map((p) => p.nickname)).toEqual(['Eve']);
  });
});
