/**
 * Applies prisma/migrations/* to a PostgreSQL or PGlite database with the WebAssembly schema
 * engine. Writes the standard `_prisma_migrations` table, so the history is the one `prisma
 * migrate deploy` would keep; applying twice is a no-op.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { UserFacingError } from '../errors';
import { checkPostgresReachable, openPglite, pgliteAdapter, postgresMigrationAdapter } from './connections';
import { engineErrorMessage, NO_EXTERNAL_OBJECTS, withSchemaEngine } from './schemaEngine';
import { describeTarget, type DbTarget } from './target';

// npm scripts, the server and Vitest all run from the project root.
export const PRISMA_DIR = path.resolve('prisma');
export const SCHEMA_PATH = path.join(PRISMA_DIR, 'schema.prisma');
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
const LOCKFILE = 'migration_lock.toml';
const MIGRATION_FILE = 'migration.sql';

/** The migrations folder as the engine wants it: every subfolder, in name (= time) order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = existsSync(dir) ? await readdir(dir, { withFileTypes: true }) : [];
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(dir, LOCKFILE);
  return {
    baseDir: dir,
    lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      folders.map(async (folder) => {
        const file = path.join(dir, folder, MIGRATION_FILE);
        const content = existsSync(file)
          ? ({ tag: 'ok', value: await readFile(file, 'utf8') } as const)
          : ({ tag: 'error', value: `${file} is missing` } as const);
        return { path: folder, migrationFile: { path: MIGRATION_FILE, content } };
      }),
    ),
  };
}

export interface MigrationResult {
  /** Migrations applied by this call; empty when the database was up to date. */
  applied: string[];
  ms: number;
}

/** Applies the pending migrations through an already open adapter (e.g. the server's PGlite). */
export async function applyMigrationsWith(
  factory: SqlMigrationAwareDriverAdapterFactory,
  where: string,
  migrationsDir: string = MIGRATIONS_DIR,
): Promise<MigrationResult> {
  const started = performance.now();
  const migrationsList = await readMigrations(migrationsDir);
  const applied = await withSchemaEngine(factory, async (engine) => {
    try {
      const out = await engine.applyMigrations({ migrationsList, filters: NO_EXTERNAL_OBJECTS });
      return out.appliedMigrationNames;
    } catch (err) {
      throw migrationFailure(err, where);
    }
  });
  return { applied, ms: performance.now() - started };
}

/** Opens the target, applies its pending migrations, and closes it again. */
export async function applyMigrations(
  target: DbTarget,
  migrationsDir: string = MIGRATIONS_DIR,
): Promise<MigrationResult> {
  const where = describeTarget(target);
  return withTargetAdapter(target, (factory) => applyMigrationsWith(factory, where, migrationsDir));
}

/** Opens a migration adapter on the target for the duration of `fn`. */
export async function withTargetAdapter<T>(
  target: DbTarget,
  fn: (factory: SqlMigrationAwareDriverAdapterFactory) => Promise<T>,
): Promise<T> {
  if (target.kind === 'postgresql') {
    await checkPostgresReachable(target.url);
    const { factory, close } = postgresMigrationAdapter(target.url);
    try {
      return await fn(factory);
    } finally {
      await close();
    }
  }
  const pglite = await openPglite(target.dir);
  try {
    return await fn(pgliteAdapter(pglite.db));
  } finally {
    await pglite.close();
  }
}

/** Names the failed migration and the way out; the engine's own hint points at a CLI we cannot run. */
function migrationFailure(err: unknown, where: string): UserFacingError {
  const message = engineErrorMessage(err);
  const failedNow = /migration_name="([^"]+)"/.exec(rawEngineText(err))?.[1];
  const failedBefore = /The `([^`]+)` migration started at .* failed/.exec(message)?.[1];
  const name = failedNow ?? failedBefore;
  if (!name) {
    return new UserFacingError(
      `Applying the migrations to ${where} failed (${message}): fix the cause, then run npm run db:migrate again.`,
    );
  }
  const what = failedNow ? `failed (${message})` : 'failed in an earlier run and blocks the ones after it';
  return new UserFacingError(
    `Migration ${name} on ${where} ${what}: fix it (or the database), run npm run db:migrate -- --rolled-back ${name}, then npm run db:migrate again.`,
  );
}

function rawEngineText(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err ?? '');
}

/**
 * Marks a failed migration as rolled back (what `prisma migrate resolve --rolled-back` does), so
 * the next run applies it again. The failed script ran in one transaction, so nothing of it stayed.
 */
export async function markRolledBack(target: DbTarget, migrationName: string): Promise<void> {
  await withTargetAdapter(target, async (factory) => {
    await withSchemaEngine(factory, async (engine) => {
      try {
        await engine.markMigrationRolledBack({ migrationName });
      } catch (err) {
        throw new UserFacingError(
          `Cannot mark ${migrationName} as rolled back on ${describeTarget(target)} (${engineErrorMessage(err)}): check the name in the _prisma_migrations table.`,
        );
      }
    });
  });
}
