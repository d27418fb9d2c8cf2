/**
 * The database going away under a running server: visitors get one plain sentence (the socket's
 * reply, and 503 over HTTP), never the database's host, folder or the operator's fix, which go to
 * the server's log; once it answers again, so does the playground.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, request, startTestServer, type TestClient, type TestServer } from '../helpers/server';

let server: TestServer;
let client: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  client = await connectClient(server.url);
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await server?.close();
});

const SENTENCE = 'The database is not answering right now; try again in a moment.';

describe('a database that stops answering', () => {
  it('gives visitors a plain sentence (503 over HTTP) and the operator the details in the log', async () => {
    const { env } = await import('../../server/env');
    const { closeDb } = await import('../../server/db');
    const working = env.DATABASE_URL;
    const logged = vi.spyOn(console, 'error');
    try {
      // The server's client closes and the next open fails: nothing listens on port 1. (The URL
      // first: a background task opening the database meanwhile must not get the working one.)
      env.DATABASE_URL = 'postgresql://postgres@127.0.0.1:1/playground';
      await closeDb();
      expect(await request(client, 'gallery:list', { sort: 'newest' })).toEqual({ ok: false, error: SENTENCE });
      const res = await fetch(`${server.url}/api/collections/abcdefghijkl`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ error: SENTENCE });
      expect(body).not.toMatch(/127\.0\.0\.1|DATABASE_URL/);
      expect(logged.mock.calls.flat().join(' ')).toMatch(/Cannot reach PostgreSQL at 127\.0\.0\.1:1/);
    } finally {
      env.DATABASE_URL = working;
      logged.mockRestore();
    }
    // Back: the next request opens it again.
    expect((await request(client, 'gallery:list', { sort: 'newest' })).ok).toBe(true);
  }, 60_000);
});
