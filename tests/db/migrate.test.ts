/**
 * Migrations through the WebAssembly schema engine, on a fresh PostgreSQL database and a fresh
 * PGlite folder: everything applies to an empty database, a second run is a no-op, and a failing
 * migration is atomic, reported by name and can be retried once fixed.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, pgliteAdapter, postgresMigrationAdapter } from '../../server/db/connections';
import {
  applyMigrations,
  applyMigrationsWith,
  markRolledBack,
  MIGRATIONS_DIR,
  SCHEMA_PATH,
} from '../../server/db/migrate';
import type { DbTarget } from '../../server/db/target';
import { UserFacingError } from '../../server/errors';
import { createFreshPglite, createFreshPostgres } from '../helpers/freshDatabase';

// Generous: PGlite and the wasm engine run several times slower while a training job has the CPU.
const SLOW = 120_000;

interface Opened {
  target: DbTarget;
  factory: SqlMigrationAwareDriverAdapterFactory;
  query: (sql: string) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}

const backends: Record<DbTarget['kind'], () => Promise<Opened>> = {
  async postgresql() {
    const fresh = await createFreshPostgres();
    const migration = postgresMigrationAdapter(fresh.url);
    const client = new pg.Client(fresh.url);
    await client.connect();
    return {
      target: { kind: 'postgresql', url: fresh.url },
      factory: migration.factory,
      query: async (sql) => (await client.query(sql)).rows,
      close: async () => {
        await client.end();
        await migration.close();
        await fresh.drop();
      },
    };
  },
  async pglite() {
    const fresh = await createFreshPglite();
    const open = await openPglite(fresh.dir);
    return {
      target: { kind: 'pglite', dir: fresh.dir },
      factory: pgliteAdapter(open.db),
      query: async (sql) => (await open.db.query<Record<string, unknown>>(sql)).rows,
      close: async () => {
        await open.close();
        await fresh.remove();
      },
    };
  },
};

const committed = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

const tables = async (o: Opened) =>
  (await o.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
    .map((r) => String(r.table_name))
    .sort();

describe.each(['postgresql', 'pglite'] as const)('migrations on %s', (kind) => {
  let o: Opened;
  let scratch: string;
  beforeAll(async () => {
    o = await backends[kind]();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'vt-migrations-'));
  }, SLOW);
  afterAll(async () => {
    await o?.close();
    await rm(scratch, { recursive: true, force: true });
  }, SLOW);

  it(
    'applies every migration to an empty database, and nothing the second time',
    async () => {
      expect(committed.length).toBeGreaterThan(0);
      const first = await applyMigrationsWith(o.factory, kind);
      expect(first.applied).toEqual(committed);
      // Every model of the schema becomes a table (no @@map in the schema), plus Prisma's history.
      const models = [...(await readFile(SCHEMA_PATH, 'utf8')).matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!);
      expect(models).toEqual(expect.arrayContaining(['Assessment', 'Drawing', 'Guest', 'ModelVersion']));
      expect(await tables(o)).toEqual([...models, '_prisma_migrations'].sort());

      const second = await applyMigrationsWith(o.factory, kind);
      expect(second.applied).toEqual([]);
      const history = await o.query(
        'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(history.map((r) => r.migration_name)).toEqual(committed);
      expect(history.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
      // A lock left behind would make the next migrator (another process) wait 10 s and fail.
      expect(await o.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory'")).toEqual([]);
    },
    SLOW,
  );

  it(
    'runs a failing migration atomically, names it, and retries it once fixed and marked rolled back',
    async () => {
      const dir = path.join(scratch, 'migrations');
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const name = '99990101000000_add_scores';
      const file = path.join(dir, name, 'migration.sql');
      // A `$$` body with ';' inside: adapter-pg's own script runner would cut it into pieces.
      const good = `CREATE TABLE "Score" ("id" INTEGER);
CREATE FUNCTION score_double(x INTEGER) RETURNS INTEGER AS $$ BEGIN x := x * 2; RETURN x; END; $$ LANGUAGE plpgsql;
`;
      await cp(path.join(MIGRATIONS_DIR, committed[0]!), path.join(dir, name), { recursive: true });
      await writeFile(file, `${good}SELECT * FROM "NoSuchTable";\n`);

      const failure = await applyMigrationsWith(o.factory, kind, dir).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(UserFacingError);
      expect((failure as Error).message).toMatch(
        new RegExp(`^Migration ${name} on ${kind} failed \\(.*NoSuchTable.*\\): .*--rolled-back ${name}`),
      );
      expect(await tables(o)).not.toContain('Score');

      const blocked = await applyMigrationsWith(o.factory, kind, dir).catch((e: unknown) => e);
      expect((blocked as Error).message).toMatch(`Migration ${name} on ${kind} failed in an earlier run`);

      await writeFile(file, good);
      if (kind === 'postgresql') {
        await markRolledBack(o.target, name); // through its own connection, as the CLI does
      } else {
        // PGlite allows one opener per folder, and this test holds it: use the open adapter.
        const { withSchemaEngine } = await import('../../server/db/schemaEngine');
        await withSchemaEngine(o.factory, (engine) => engine.markMigrationRolledBack({ migrationName: name }));
      }
      const retried = await applyMigrationsWith(o.factory, kind, dir);
      expect(retried.applied).toEqual([name]);
      expect(await o.query('SELECT score_double(21) AS v')).toEqual([{ v: 42 }]);
    },
    SLOW,
  );
});

describe('applyMigrations(target)', { timeout: SLOW }, () => {
  it(
    'opens the database itself and closes it again',
    async () => {
      const fresh = await createFreshPostgres();
      const admin = new pg.Client(fresh.url);
      try {
        const target = { kind: 'postgresql', url: fresh.url } as const;
        expect((await applyMigrations(target)).applied).toEqual(committed);
        expect((await applyMigrations(target)).applied).toEqual([]);
        // An open pool would keep the db:migrate process alive and the database busy.
        await admin.connect();
        const others = await admin.query(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        expect(others.rows).toEqual([]);
      } finally {
        await admin.end();
        await fresh.drop();
      }
    },
    SLOW,
  );

  it('explains an unreachable server in one sentence', async () => {
    await expect(applyMigrations({ kind: 'postgresql', url: 'postgresql://postgres@127.0.0.1:1/x' })).rejects.toThrow(
      'Cannot reach PostgreSQL at 127.0.0.1:1 (connection refused): start it or unset DATABASE_URL to use the embedded database.',
    );
  });
});
