/**
 * Several machines: who watches a session is the same list on every web node. Two in-process
 * nodes of one playground (one Redis, one database: withTinyNodes): viewers joining through either
 * node appear on both, one leaving leaves on both, and a node that shuts down takes its viewers with it.
 */
import { describe, expect, it } from 'vitest';
import { ok, pickNickname, type VotingServer, withTinyNodes } from '../identity/harness';

const nodes = withTinyNodes();

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A client that keeps the session's viewer count as its node reports it. */
async function viewer(node: VotingServer, cookie?: string) {
  const socket = await nodes.connect(node, cookie);
  const seen = { viewers: 0, names: new Set<string>() };
  socket.on('session:presence', ({ viewers, changes }) => {
    seen.viewers = viewers;
    for (const c of changes) if (c.op === 'join') seen.names.add(c.viewer.nickname);
  });
  return { socket, seen };
}

describe('presence across web nodes', () => {
  it('shows viewers of both nodes on both nodes, and drops those who leave or whose node goes', {
    timeout: 60_000,
  }, async () => {
    const ada = await pickNickname(nodes.a.url, 'Ada');
    const bob = await pickNickname(nodes.a.url, 'Bob');
    const cyd = await pickNickname(nodes.a.url, 'Cyd');
    const onA = await viewer(nodes.a, ada.cookie);
    const { sessionId } = await ok(onA.socket, 'session:create', {
      config: { name: 'watched', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
    });
    const joined = await ok(onA.socket, 'session:join', { sessionId, since: null });
    expect(joined.session.viewers).toBe(1);
    const bobOnB = await viewer(nodes.b, bob.cookie);
    const cydOnB = await viewer(nodes.b, cyd.cookie);
    await ok(bobOnB.socket, 'session:join', { sessionId, since: null });
    await ok(cydOnB.socket, 'session:join', { sessionId, since: null });

    await until('node A to count the viewers on node B', () => onA.seen.viewers === 3);
    expect([...onA.seen.names].sort()).toEqual(['Ada', 'Bob', 'Cyd']);
    await until('node B to count the viewer on node A', () => cydOnB.seen.viewers === 3);
    // A late joiner on node B gets the whole list in its snapshot.
    const late = await ok(bobOnB.socket, 'session:join', { sessionId, since: null });
    expect(late.session.viewerList.map((v: { nickname: string }) => v.nickname).sort()).toEqual(['Ada', 'Bob', 'Cyd']);
    // The lobby on either node shows the same count.
    const lobbyA = await ok(onA.socket, 'sessions:watch', {});
    expect(lobbyA.sessions.find((s) => s.id === sessionId)?.viewers).toBe(3);

    bobOnB.socket.disconnect();
    await until('node A to see Bob leave', () => onA.seen.viewers === 2);

    await nodes.b.close(); // Cyd's node goes: Cyd is no longer watching
    await until('node A to drop the viewers of the closed node', () => onA.seen.viewers === 1);
  });
});
