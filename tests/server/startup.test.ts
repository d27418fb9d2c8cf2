/**
 * A socket that connects while the server is still starting is refused with a sentence (and the
 * page's client connects again), never let in before the handlers exist and left unanswered.
 */
import { io as connect } from 'socket.io-client';
import { afterAll, expect, it } from 'vitest';
import { SERVER_STARTING } from '../../lib/protocol';
import type { StatusSources } from '../../server/realtime/status';
import { freePort } from '../../server/net';
import { connectClient, ok, startTestServer, type TestServer } from '../helpers/server';

let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
});

it('refuses sockets until every handler is attached, then answers them', async () => {
  const port = await freePort();
  // A database check that waits until the test lets it answer holds the start half-way.
  let answerDatabase!: () => void;
  const databaseAnswers = new Promise<void>((resolve) => (answerDatabase = resolve));
  const sources: StatusSources = {
    databaseKind: 'postgresql',
    backend: () => ({ name: 'wasm', tried: [{ name: 'wasm', ok: true }] }),
    model: () => ({ loaded: false, path: null, params: null }),
    database: async () => {
      await databaseAnswers;
      return { ok: true, kind: 'postgresql', where: 'test' };
    },
  };
  const starting = startTestServer({ port, sources });
  const url = `http://127.0.0.1:${port}`;

  // The port listens early (pages answer 503); a socket connecting then is refused, not ignored.
  // Until the port listens at all, attempts fail as transport errors: try again.
  let refusal: Error | undefined;
  for (let i = 0; i < 200 && !refusal; i++) {
    const early = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const outcome = await new Promise<Error | 'connected'>((resolve) => {
      early.once('connect_error', (err) => resolve(err));
      early.once('connect', () => resolve('connected'));
    });
    early.disconnect();
    if (outcome === 'connected') throw new Error('a socket was let in before the handlers were attached');
    if ((outcome as Error & { type?: string }).type === 'TransportError') await new Promise((r) => setTimeout(r, 50));
    else refusal = outcome;
  }
  expect(refusal?.message).toBe(SERVER_STARTING);

  answerDatabase();
  server = await starting;
  const late = await connectClient(server.url);
  try {
    expect((await ok(late, 'status:get', {})).database.ok).toBe(true);
  } finally {
    late.disconnect();
  }
});
