/**
 * Moderation across web nodes (issues 20 and 21): an operator connected to node B hides a
 * nickname; node A, which holds the drawing room and the session where it shows, learns it (its
 * cache, `moderation:sync`) and sends them again, so a viewer on node A sees it hidden at once and
 * node A refuses the nickname too. Showing it again works the same way.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN_NICKNAME, type PushPayload } from '../../lib/protocol';
import type { TestClient } from '../helpers/server';
import { ok, pickNickname, request, type VotingServer, withTinyNodes } from '../identity/harness';

const TOKEN = 'operator-token-for-tests-0123456789';
process.env.ADMIN_TOKEN = TOKEN;

const nodes = withTinyNodes();

async function person(node: VotingServer, nickname?: string): Promise<TestClient> {
  const cookie = nickname ? (await pickNickname(node.url, nickname)).cookie : undefined;
  return nodes.connect(node, cookie);
}

describe('a nickname hidden through another node', () => {
  it('leaves the room and the session held on the first node at once, and that node refuses it too', async () => {
    const { a, b } = nodes;
    const rude = await person(a, 'Rude Name');
    const viewer = await person(a, 'kind viewer');
    const operator = await person(b);
    await ok(viewer, 'room:join', { roomId: 'moderated-nodes', nickname: 'kind viewer' });
    await ok(rude, 'room:join', { roomId: 'moderated-nodes', nickname: 'Rude Name' });
    const { sessionId } = await ok(rude, 'session:create', {
      config: { name: 'tiny CNN', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
    });
    await ok(viewer, 'session:join', { sessionId, since: null });
    const rooms: PushPayload<'room:state'>[] = [];
    const summaries: PushPayload<'sessions:summary'>[] = [];
    viewer.on('room:state', (s) => rooms.push(s));
    viewer.on('sessions:summary', (s) => summaries.push(s));

    await ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'nickname', id: 'rude name' }, hidden: true });
    await expect.poll(() => rooms.at(-1)?.players.map((p) => p.nickname)).toContain(HIDDEN_NICKNAME);
    expect(rooms.at(-1)!.players.map((p) => p.nickname)).not.toContain('Rude Name');
    await expect.poll(() => summaries.at(-1)).toMatchObject({ id: sessionId, hostNickname: HIDDEN_NICKNAME });
    // Node A's own checks follow: nobody joins a room there under it.
    const visitor = await person(a);
    expect(await request(visitor, 'room:join', { roomId: 'other-room', nickname: 'RUDE name' })).toEqual({
      ok: false,
      error: 'That nickname was hidden by a moderator; choose another one.',
    });

    await ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'nickname', id: 'rude name' }, hidden: false });
    await expect.poll(() => rooms.at(-1)?.players.map((p) => p.nickname)).toContain('Rude Name');
    await expect.poll(() => summaries.at(-1)).toMatchObject({ id: sessionId, hostNickname: 'Rude Name' });
  }, 60_000);
});
