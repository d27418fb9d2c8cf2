/**
 * Issue 21 (moderation, live): a nickname an operator hides leaves every live view at once, for
 * everyone already connected and without joining again: a session's viewer list, the lobby's and
 * the session page's host, a drawing room's players and guesses, a voting round's host. Showing it
 * again brings it back the same way. The pushes carry no hidden nickname.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN_NICKNAME, type PushPayload } from '../../lib/protocol';
import { ok, request, type TestClient } from '../helpers/server';
import { withTinyPlayground } from '../identity/harness';

const TOKEN = 'operator-token-for-tests-0123456789';
process.env.ADMIN_TOKEN = TOKEN;

const fx = withTinyPlayground();

async function person(nickname?: string): Promise<TestClient> {
  return nickname ? (await fx.guest(nickname)).client : fx.connect();
}

/** Every push of the kinds that carry nicknames, as received, in order. */
function recorder(c: TestClient) {
  const seen = {
    presence: [] as PushPayload<'session:presence'>[],
    summary: [] as PushPayload<'sessions:summary'>[],
    room: [] as PushPayload<'room:state'>[],
    round: [] as PushPayload<'vote:round'>[],
    moderation: [] as PushPayload<'moderation:changed'>[],
  };
  c.on('session:presence', (p) => seen.presence.push(p));
  c.on('sessions:summary', (p) => seen.summary.push(p));
  c.on('room:state', (p) => seen.room.push(p));
  c.on('vote:round', (p) => seen.round.push(p));
  c.on('moderation:changed', (p) => seen.moderation.push(p));
  return seen;
}

const RUDE = 'Rude Name';

describe('a hidden nickname in live views', () => {
  it('leaves sessions, drawing rooms and voting rounds at once for everyone connected, and comes back when shown again', async () => {
    const rude = await person(RUDE);
    const viewer = await person('kind viewer');
    const lobbyWatcher = await person();
    const operator = await person();

    // Rude hosts a session and watches it; the viewer watches it too; a third page is in the lobby.
    const { sessionId } = await ok(rude, 'session:create', {
      config: { name: 'tiny CNN', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
    });
    await ok(rude, 'session:join', { sessionId, since: null });
    await ok(lobbyWatcher, 'sessions:watch', {});
    const joined = await ok(viewer, 'session:join', { sessionId, since: null });
    const rudeViewer = joined.session.viewerList.find((v) => v.nickname === RUDE)!;
    expect(rudeViewer).toBeDefined();
    expect(joined.session.hostNickname).toBe(RUDE);

    // A drawing room: the viewer draws, Rude guesses wrong, so Rude is a player and a guesser.
    await ok(viewer, 'room:join', { roomId: 'moderated', nickname: 'kind viewer' });
    await ok(rude, 'room:join', { roomId: 'moderated', nickname: RUDE });
    const { target } = await ok(viewer, 'room:start', { roomId: 'moderated' });
    await ok(rude, 'room:guess', { roomId: 'moderated', label: (target + 1) % 10 });

    // A voting round Rude hosts, which the viewer watches.
    const { round } = await ok(rude, 'vote:start', { room: 'moderated-vote' });
    expect(round.hostNickname).toBe(RUDE);
    await ok(viewer, 'vote:join', { room: 'moderated-vote' });

    // A model version Rude's (earlier) session trained, as /models lists it.
    const version = await fx.server.db.modelVersion.create({
      data: {
        kind: 'cnn',
        name: 'rude model',
        path: 'models/rude',
        params: 1,
        trainingLog: {},
        trainingLogHash: 'rude',
      },
    });
    await fx.server.db.trainingSessionRecord.create({
      data: {
        id: 'rudesession1',
        name: 'rude training',
        kind: 'cnn',
        state: 'finished',
        config: { name: 'rude training', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
        hostNickname: RUDE,
        history: [],
        probeImages: [],
        modelVersionId: version.id,
      },
    });
    const trainedBy = async () => ({
      get: (await ok(viewer, 'models:get', { id: version.id })).session?.hostNickname,
      list: (await ok(viewer, 'models:list', { kind: 'cnn' })).versions.find((v) => v.id === version.id)?.session
        ?.hostNickname,
    });
    expect(await trainedBy()).toEqual({ get: RUDE, list: RUDE });

    const seen = recorder(viewer);
    const lobby = recorder(lobbyWatcher);
    // Wait out the presence batch of the joins above, so what follows is moderation's doing.
    await new Promise((r) => setTimeout(r, 400));
    for (const list of Object.values(seen)) list.length = 0;

    await ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'nickname', id: ' rude NAME' }, hidden: true });

    // The session page: Rude's viewer entry again, hidden; the host's name, hidden.
    await expect
      .poll(() => seen.presence.flatMap((p) => p.changes))
      .toContainEqual(expect.objectContaining({ op: 'join', viewer: { ...rudeViewer, nickname: HIDDEN_NICKNAME } }));
    await expect.poll(() => seen.summary.at(-1)).toMatchObject({ id: sessionId, hostNickname: HIDDEN_NICKNAME });
    // The lobby.
    await expect.poll(() => lobby.summary.at(-1)).toMatchObject({ id: sessionId, hostNickname: HIDDEN_NICKNAME });
    // The drawing room: players and guesses.
    await expect
      .poll(() =>
        seen.room
          .at(-1)
          ?.players.map((p) => p.nickname)
          .sort(),
      )
      .toEqual([HIDDEN_NICKNAME, 'kind viewer'].sort());
    expect(seen.room.at(-1)!.guesses.map((g) => g.name)).toEqual([HIDDEN_NICKNAME]);
    // The voting round.
    await expect.poll(() => seen.round.at(-1)).toMatchObject({ id: round.id, hostNickname: HIDDEN_NICKNAME });
    // The pages are told, without the nickname itself.
    await expect.poll(() => seen.moderation).toEqual([{ kind: 'nickname', id: '', hidden: true }]);
    // Nothing pushed to the viewer or the lobby names Rude any more.
    expect(JSON.stringify(seen).toLowerCase()).not.toContain('rude name');
    expect(JSON.stringify(lobby).toLowerCase()).not.toContain('rude name');

    // A page that joins now gets it hidden too (the reply, not only the pushes).
    const late = await person('late viewer');
    const lateJoin = await ok(late, 'session:join', { sessionId, since: null });
    expect(lateJoin.session.hostNickname).toBe(HIDDEN_NICKNAME);
    expect(lateJoin.session.viewerList.map((v) => v.nickname)).toContain(HIDDEN_NICKNAME);
    expect((await ok(late, 'sessions:watch', {})).sessions.find((s) => s.id === sessionId)!.hostNickname).toBe(
      HIDDEN_NICKNAME,
    );
    expect((await ok(late, 'vote:join', { room: 'moderated-vote' })).round!.hostNickname).toBe(HIDDEN_NICKNAME);
    const lateRoom = await ok(late, 'room:join', { roomId: 'moderated', nickname: 'late viewer' });
    expect(JSON.stringify(lateRoom.state).toLowerCase()).not.toContain('rude name');
    // Sentences name the host as others see them.
    expect(await request(late, 'session:control', { sessionId, action: 'start' })).toEqual({
      ok: false,
      error: `Only the host (${HIDDEN_NICKNAME}) can start this session.`,
    });
    // The model pages (they reload on moderation:changed).
    expect(await trainedBy()).toEqual({ get: HIDDEN_NICKNAME, list: HIDDEN_NICKNAME });

    // Shown again: every view gets the name back, live.
    for (const list of [...Object.values(seen), ...Object.values(lobby)]) list.length = 0;
    await ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'nickname', id: RUDE }, hidden: false });
    await expect
      .poll(() => seen.presence.flatMap((p) => p.changes))
      .toContainEqual(expect.objectContaining({ op: 'join', viewer: rudeViewer }));
    await expect.poll(() => seen.summary.at(-1)).toMatchObject({ id: sessionId, hostNickname: RUDE });
    await expect.poll(() => lobby.summary.at(-1)).toMatchObject({ id: sessionId, hostNickname: RUDE });
    await expect.poll(() => seen.room.at(-1)?.players.map((p) => p.nickname)).toContain(RUDE);
    expect(seen.room.at(-1)!.guesses.map((g) => g.name)).toEqual([RUDE]);
    await expect.poll(() => seen.round.at(-1)).toMatchObject({ id: round.id, hostNickname: RUDE });
    expect(await trainedBy()).toEqual({ get: RUDE, list: RUDE });
  }, 60_000);
});
