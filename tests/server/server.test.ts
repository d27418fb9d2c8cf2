/**
 * The one server process, end to end: the built home page over HTTP and the status over a real
 * Socket.IO client, including what a hostile or broken client can send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, StatusSchema, type Reply, type Status } from '../../lib/protocol';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../helpers/server';

let server: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ statusPollMs: 200, pages: true });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
});

async function client(): Promise<TestClient> {
  const c = await connectClient(server.url);
  clients.push(c);
  return c;
}

/** Emits a raw event with any arguments (what a broken client could send) and waits for the ack. */
function rawRequest(c: TestClient, event: string, ...args: unknown[]): Promise<Reply<unknown>> {
  const raw = c.timeout(5000) as unknown as { emitWithAck(ev: string, ...a: unknown[]): Promise<Reply<unknown>> };
  return raw.emitWithAck(event, ...args);
}

/** Emits a raw event without waiting for anything. */
function rawEmit(c: TestClient, event: string, ...args: unknown[]): void {
  (c as unknown as { emit(ev: string, ...a: unknown[]): void }).emit(event, ...args);
}

describe('HTTP', () => {
  it('serves the home page from the production build', async () => {
    const res = await fetch(server.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Fashion-MNIST Playground</title>');
    expect(html).toContain('data-testid="status-panel"');
    expect(html).toMatch(/\/_next\/static\/[^"]+\.css/); // Tailwind's stylesheet is linked
  });

  it('answers 404 for a page that does not exist', async () => {
    const res = await fetch(server.url + '/no-such-page');
    expect(res.status).toBe(404);
  });
});

describe('start-up', () => {
  it('refuses a port that is taken, in one sentence', async () => {
    const { startServer } = await import('../../server/main');
    const { port } = new URL(server.url);
    await expect(startServer({ port: Number(port), host: '127.0.0.1', dev: false })).rejects.toThrow(
      `Port ${port} is already in use; stop the other process or set PORT to a free port.`,
    );
    expect((await fetch(server.url + '/')).status).toBe(200);
  });
});

describe('status over Socket.IO', () => {
  it('answers status:get with the real backend, database and served model', async () => {
    const c = await client();
    const reply = await c.timeout(5000).emitWithAck('status:get', {});
    expect(reply.ok).toBe(true);
    const status = StatusSchema.parse((reply as { data: Status }).data);
    expect(status.backend.name).toMatch(/^(tfjs-node-gpu|tfjs-node|wasm|cpu)$/);
    expect(status.backend.tried.at(-1)).toEqual({ name: status.backend.name, ok: true });
    expect(status.database).toMatchObject({ ok: true, kind: 'postgresql' });
    expect(status.database.where).toContain(server.database.name);
    // The served CNN (models/cnn) loads at start; its status arrives once it is loaded.
    // (It loads in the recognition worker thread, which starts with the server.)
    let latest = status;
    for (let i = 0; i < 50 && !latest.model.loaded; i++) {
      await new Promise((r) => setTimeout(r, 200));
      latest = StatusSchema.parse(((await c.timeout(5000).emitWithAck('status:get', {})) as { data: Status }).data);
    }
    const model = latest.model;
    expect(model).toMatchObject({ loaded: true });
    expect(model.path).toMatch(/cnn$/);
    expect(model.params).toBeGreaterThan(100_000);
    expect(Math.abs(Date.parse(latest.serverTime) - Date.now())).toBeLessThan(5000);
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('rejects malformed payloads with ok:false and keeps serving', async () => {
    const c = await client();
    const bad = [[42], ['text'], [null], [{ unexpected: true }], []];
    for (const args of bad) {
      const reply = await rawRequest(c, 'status:get', ...args);
      expect(reply.ok, JSON.stringify(args)).toBe(false);
      expect((reply as { error: string }).error).toMatch(/^Invalid status:get payload/);
    }
    rawEmit(c, 'status:get', {}); // no acknowledgement at all: must be ignored, not crash
    const good = await c.timeout(5000).emitWithAck('status:get', {});
    expect(good.ok).toBe(true);
  });

  it('disconnects a client whose message exceeds the size limit; others are unaffected', async () => {
    const big = await client();
    const disconnected = new Promise<string>((resolve) => big.once('disconnect', resolve));
    rawEmit(big, 'status:get', { padding: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) });
    expect(await disconnected).toBe('transport close');

    const other = await client();
    expect((await other.timeout(5000).emitWithAck('status:get', {})).ok).toBe(true);
    expect((await fetch(server.url + '/')).status).toBe(200);
  });

  it('pushes a new status to every client when the database goes away', async () => {
    const [a, b] = [await client(), await client()];
    const pushed = (c: TestClient) =>
      new Promise<Status>((resolve) => {
        c.on('status', (s) => {
          if (!s.database.ok) resolve(s);
        });
      });
    const both = Promise.all([pushed(a), pushed(b)]);
    await server.database.drop(); // the real failure: the database disappears under the server
    const [sa, sb] = await both;
    expect(sa.database).toMatchObject({ ok: false, kind: 'postgresql' });
    expect(sa.database.error).toBeTruthy();
    expect(sb.database.ok).toBe(false);
    // and the status request reports the same, without a new round trip
    const reply = await a.timeout(5000).emitWithAck('status:get', {});
    expect(reply.ok && reply.data.database.ok).toBe(false);
  });
});
