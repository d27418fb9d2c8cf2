/**
 * Fresh, empty databases for tests, so runs never see each other's rows:
 * - `createFreshPostgres()`: a new database with a random name on the test PostgreSQL server,
 *   dropped by `drop()`. The server is TEST_DATABASE_URL (any database on it; CI sets it), else
 *   postgresql://postgres@127.0.0.1:5432/postgres (trust auth on the dev machine).
 * - `createFreshPglite()`: a new PGlite data folder in the OS temp folder, removed by `remove()`.
 * Neither applies migrations: pass the result to `openDb()` (which does) or `applyMigrations()`.
 *
 *   const pg = await createFreshPostgres();
 *   const { db, close } = await openDb({ kind: 'postgresql', url: pg.url });
 *   ...; await close(); await pg.drop();
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { throwawayPgliteDir, type ThrowawayPglite } from '../../server/db/pgliteTemplate';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../../server/db/throwawayPostgres';

// A test-only setting: it stays out of server/env.ts, which describes the app's configuration.
const TEST_SERVER_URL = z
  .string()
  .regex(/^postgres(ql)?:\/\//)
  .default('postgresql://postgres@127.0.0.1:5432/postgres')
  .parse(process.env.TEST_DATABASE_URL || undefined);

const PREFIX = 'vt_';
/** Databases a crashed run left behind are dropped by later runs once they are this old. */
const STALE_AFTER_S = 6 * 3600;

export type FreshPostgres = ThrowawayPostgres;

const unreachable = (why: string) =>
  new Error(
    `The test PostgreSQL at ${new URL(TEST_SERVER_URL).host} is not reachable (${why}): start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.`,
  );

export function createFreshPostgres(): Promise<FreshPostgres> {
  const now = Math.floor(Date.now() / 1000);
  const name = `${PREFIX}${now}_${randomBytes(5).toString('hex')}`;
  return createThrowawayPostgres(TEST_SERVER_URL, name, unreachable, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'vt\\_%'",
    );
    for (const { datname } of rows) {
      const created = Number(/^vt_(\d+)_/.exec(datname)?.[1]);
      if (created && now - created > STALE_AFTER_S) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
      }
    }
  });
}

export type FreshPglite = ThrowawayPglite;

export function createFreshPglite(): Promise<FreshPglite> {
  return throwawayPgliteDir('vt-pglite-');
}
