/**
 * The status service on its own: when it pushes, how it treats a slow or failing database, and
 * that a burst of refreshes costs one database round trip. Its sources are plain functions here
 * (they are its inputs, not parts of it); tests/server/server.test.ts runs it on the real ones.
 */
import { describe, expect, it } from 'vitest';
import type { DatabaseStatus, Status } from '../../lib/protocol';
import { createStatusService, type StatusSources } from '../../server/realtime/status';

function sources(database: () => Promise<DatabaseStatus>): StatusSources {
  return {
    databaseKind: 'postgresql',
    backend: () => ({ name: 'cpu', tried: [{ name: 'cpu', ok: true }] }),
    model: () => ({ loaded: false, path: null, params: null }),
    database,
  };
}

describe('status service', () => {
  it('notifies on a real change, not on the ticking clock', async () => {
    let ok = true;
    const service = createStatusService(sources(async () => ({ ok, kind: 'postgresql' })));
    const seen: Status[] = [];
    service.onChange((s) => seen.push(s));

    await service.refresh(); // from "not checked yet" to reachable: a change
    await new Promise((r) => setTimeout(r, 1100)); // the clock fields move on
    await service.refresh();
    expect(seen.map((s) => s.database.ok)).toEqual([true]);

    ok = false;
    await service.refresh();
    expect(seen.map((s) => s.database.ok)).toEqual([true, false]);
    expect(service.current().uptimeSeconds).toBeGreaterThanOrEqual(1);
  });

  it('reports a database that throws or does not answer as unreachable', async () => {
    const failing = createStatusService(
      sources(async () => {
        throw new Error('connection refused');
      }),
    );
    expect((await failing.refresh()).database).toEqual({ ok: false, kind: 'postgresql', error: 'connection refused' });

    const silent = createStatusService(
      sources(() => new Promise<DatabaseStatus>(() => {})),
      { databaseTimeoutMs: 100 },
    );
    const started = Date.now();
    const { database } = await silent.refresh();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(database.ok).toBe(false);
    expect(database.error).toMatch(/did not answer within 0.1 s/);
  });

  it('shares one database check among concurrent refreshes', async () => {
    let calls = 0;
    const service = createStatusService(
      sources(async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 50));
        return { ok: true, kind: 'postgresql' };
      }),
    );
    await Promise.all([service.refresh(), service.refresh(), service.refresh()]);
    expect(calls).toBe(1);
    await service.refresh();
    expect(calls).toBe(2);
  });
});
