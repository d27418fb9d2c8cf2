/**
 * Voting inside a live VAE session over real Socket.IO: the host opens a round after the first
 * epoch on candidates from the session's own weights, everyone in the session votes and sees the
 * same tallies, a late joiner sees the open round, the winners reach the gallery with the session
 * and epoch they came from; and the refusals: a non-host opening or closing, a second open round,
 * a vote in a closed round, a round on a CNN session, /vote's controls on a session's room.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionConfigInput, SessionEvent, VoteRoundState, VoteTally } from '../../lib/protocol';
import { connectClient, ok, pickNickname, request, type TestClient } from '../helpers/server';
import { scratchDir, startTinyPlayground, withTinyPlayground } from '../identity/harness';

const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
const playground = withTinyPlayground((models) => ({
  sessions: { dataDir: FIXTURE, outRoot: scratchDir(models, 'sessions'), testLimit: 200, maxTraining: 1 },
}));

let finished: { sessionId: string; adaCookie: string } | null = null;

interface Person {
  client: TestClient;
  cookie: string;
  nickname: string;
  events: SessionEvent[];
  tallies: Map<number, VoteTally>;
  rounds: VoteRoundState[];
}

async function person(nickname: string): Promise<Person> {
  const { client, cookie } = await playground.guest(nickname);
  const p: Person = { client, cookie, nickname, events: [], tallies: new Map(), rounds: [] };
  client.on('session:event', ({ event }) => p.events.push(event));
  client.on('vote:tally', ({ tallies }) => tallies.forEach((t) => p.tallies.set(t.candidateId, t)));
  client.on('vote:round', (r) => p.rounds.push(r));
  return p;
}

async function join(p: Person, sessionId: string) {
  await ok(p.client, 'session:join', { sessionId });
  return ok(p.client, 'vote:join', { room: sessionId });
}

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const tinyVae: SessionConfigInput = {
  name: 'tiny VAE',
  kind: 'vae',
  epochs: 2,
  batchSize: 32,
  trainLimit: 256,
  perceptual: false,
  adversarial: false,
};

describe('a voting round in a live VAE session', () => {
  it('is opened by the host after epoch 1, voted on by everyone, and its winners link back to the session', {
    timeout: 240_000,
  }, async () => {
    const ada = await person('Ada');
    const bob = await person('Bob');
    const { sessionId } = await ok(ada.client, 'session:create', { config: tinyVae });
    await join(ada, sessionId);
    await join(bob, sessionId);

    // Before any epoch there are no weights to generate from.
    expect(await request(ada.client, 'session:vote:open', { sessionId })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Wait until the first epoch has finished/),
    });

    await ok(ada.client, 'session:control', { sessionId, action: 'start' });
    await until('epoch 1', () => ada.events.some((e) => e.type === 'epoch'));

    // Only the host opens a round.
    expect(await request(bob.client, 'session:vote:open', { sessionId })).toEqual({
      ok: false,
      error: 'Only the host (Ada) can open a voting round in this session.',
    });
    // /vote's controls do not open rounds in a session's room.
    expect(await request(bob.client, 'vote:start', { room: sessionId })).toEqual({
      ok: false,
      error: expect.stringMatching(/training session's; only its host opens rounds there/),
    });

    const { round } = await ok(ada.client, 'session:vote:open', { sessionId, durationSeconds: 120 });
    expect(round).toMatchObject({
      room: sessionId,
      state: 'open',
      hostNickname: 'Ada',
      session: { id: sessionId, epoch: 1 },
    });
    expect(round.candidates).toHaveLength(6);
    expect(round.candidates[0]!.image).toMatch(/^data:image\/png;base64,/);
    await until('the round reaches Bob', () => bob.rounds.some((r) => r.id === round.id));

    // One open round per session.
    expect(await request(ada.client, 'session:vote:open', { sessionId })).toEqual({
      ok: false,
      error: 'A voting round is already open in this session; close it before opening another.',
    });

    // A late joiner sees the open round.
    const carol = await person('Carol');
    const late = await join(carol, sessionId);
    expect(late.round).toMatchObject({ id: round.id, state: 'open' });

    // Everyone votes; everyone sees the same tallies.
    const [first, second] = round.candidates;
    await ok(ada.client, 'vote:cast', { roundId: round.id, candidateId: first!.id, value: 1 });
    await ok(bob.client, 'vote:cast', { roundId: round.id, candidateId: first!.id, value: 1 });
    await ok(carol.client, 'vote:cast', { roundId: round.id, candidateId: second!.id, value: -1 });
    for (const p of [ada, bob, carol]) {
      await until(
        `${p.nickname}'s tallies`,
        () => p.tallies.get(first!.id)?.up === 2 && p.tallies.get(second!.id)?.down === 1,
        10_000,
      );
    }

    // Only the host closes it, by either door.
    expect(await request(bob.client, 'session:vote:close', { sessionId })).toEqual({
      ok: false,
      error: 'Only the host (Ada) can close the voting round of this session.',
    });
    expect(await request(bob.client, 'vote:close', { roundId: round.id })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Only the host \(Ada\)/),
    });

    const { round: closed } = await ok(ada.client, 'session:vote:close', { sessionId });
    expect(closed.state).toBe('closed');
    expect(closed.winners.map((w) => w.candidateId)).toEqual([first!.id]);
    await until(
      'the closing reaches Carol',
      () => carol.rounds.some((r) => r.id === round.id && r.state === 'closed'),
      10_000,
    );

    // A vote in a closed round is refused.
    expect(await request(bob.client, 'vote:cast', { roundId: round.id, candidateId: second!.id, value: 1 })).toEqual({
      ok: false,
      error: `Round ${round.id} is closed; vote in the current round.`,
    });
    expect(await request(ada.client, 'session:vote:close', { sessionId })).toEqual({
      ok: false,
      error: 'There is no open voting round in this session.',
    });

    // The winner is in the gallery, linked to the session and the epoch that made it.
    const { item } = await ok(bob.client, 'gallery:item', { id: closed.winners[0]!.galleryItemId });
    expect(item.session).toEqual({ id: sessionId, name: 'tiny VAE', epoch: 1 });
    const { items } = await ok(bob.client, 'gallery:list', {});
    expect(items.map((i) => i.id)).toContain(item.id);

    // After the end the host can open another round, from the last epoch's weights.
    await until('the end', () => ada.events.some((e) => e.type === 'state' && e.state === 'finished'));
    const { round: after } = await ok(ada.client, 'session:vote:open', { sessionId, breed: false });
    expect(after.session).toEqual({ id: sessionId, epoch: 2 });
    await ok(ada.client, 'session:vote:close', { sessionId });
    finished = { sessionId, adaCookie: ada.cookie };
  });

  it("stays the host's after a restart: a fresh server opens rounds of the stored session on its last snapshot", {
    timeout: 60_000,
  }, async () => {
    expect(finished).not.toBeNull();
    const { sessionId, adaCookie } = finished!;
    // The same database and model folders, a new process's memory.
    const fresh = await startTinyPlayground(playground.models, {
      database: playground.server.database,
      sessions: { dataDir: FIXTURE, outRoot: scratchDir(playground.models, 'sessions') },
    });
    try {
      const ada = await connectClient(fresh.url, adaCookie);
      const { cookie } = await pickNickname(fresh.url, 'Dan');
      const dan = await connectClient(fresh.url, cookie);
      expect(await request(dan, 'session:vote:open', { sessionId })).toEqual({
        ok: false,
        error: 'Only the host (Ada) can open a voting round in this session.',
      });
      const { round } = await ok(ada, 'session:vote:open', { sessionId, breed: false });
      expect(round.session).toEqual({ id: sessionId, epoch: 2 });
      await ok(ada, 'session:vote:close', { sessionId });
    } finally {
      await fresh.close();
    }
  });

  it('is refused on a CNN session', async () => {
    const ada = await person('Ada');
    const { sessionId } = await ok(ada.client, 'session:create', {
      config: { name: 'tiny CNN', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
    });
    expect(await request(ada.client, 'session:vote:open', { sessionId })).toEqual({
      ok: false,
      error: 'Voting rounds are for VAE sessions: a CNN session generates no garments to vote on.',
    });
  });
});
