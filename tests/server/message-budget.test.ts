/**
 * Issue 21 (a flood of socket messages): a connection may send a budget of messages whatever they
 * are (server/limits.ts MessageBudget); past it, requests are refused with a sentence before any
 * handler runs, and a connection that keeps sending is disconnected with the reason logged. Other
 * connections are served meanwhile; connections of one address share the address's budget.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OVER_BUDGET } from '../../server/realtime/messageBudget';
import { connectClient, request, type TestClient, type TestServer } from '../helpers/server';
import { startTinyPlayground, tinyModelFolders, type TinyModels } from '../identity/harness';

let server: TestServer;
let models: TinyModels;
const clients: TestClient[] = [];
const warnings = vi.spyOn(console, 'warn');

beforeAll(async () => {
  models = await tinyModelFolders();
  server = await startTinyPlayground(models, {
    messageBudget: { connection: { points: 20, seconds: 10 }, address: { points: 50, seconds: 10 } },
  });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
  await models?.remove();
});

async function client(): Promise<TestClient> {
  const c = await connectClient(server.url);
  clients.push(c);
  return c;
}

describe('the message budget', () => {
  it('refuses a connection past its budget with a sentence, cuts it when it keeps on, and serves others', async () => {
    const flooder = await client();
    const other = await client();
    const replies = await Promise.all(Array.from({ length: 30 }, () => request(flooder, 'status:get', {})));
    expect(replies.filter((r) => r.ok)).toHaveLength(20);
    expect(replies.filter((r) => !r.ok)).toEqual(Array(10).fill({ ok: false, error: OVER_BUDGET }));
    // Malformed payloads count the same, and never reach a handler.
    expect(await request(flooder, 'gallery:item', { id: 'nope' } as never)).toEqual({ ok: false, error: OVER_BUDGET });

    const cut = new Promise<string>((resolve) => flooder.once('disconnect', (reason) => resolve(reason)));
    for (let i = 0; i < 20; i++) (flooder.emit as (...a: unknown[]) => void)('status:get', {}, () => {});
    expect(await cut).toBe('io server disconnect');
    expect(warnings.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      new RegExp(`disconnected ${flooder.id ?? '\\S+'} .*kept sending after 20 refused messages`),
    );
    expect((await request(other, 'status:get', {})).ok).toBe(true);
  });

  it('shares one budget among the connections of one address', async () => {
    // The first test spent 21 of the address's 50 (20 served, 1 to the other connection), and refusals spend none.
    const tabs = await Promise.all([client(), client()]);
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => request(tabs[i % 2]!, 'status:get', {})));
    const served = replies.filter((r) => r.ok).length;
    expect(served).toBeGreaterThanOrEqual(29);
    expect(served).toBeLessThan(40);
    expect(replies.filter((r) => !r.ok)[0]).toEqual({ ok: false, error: OVER_BUDGET });
  });
});
