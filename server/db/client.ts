/**
 * The one Prisma client module. `getDb()` opens the configured database (PostgreSQL from
 * DATABASE_URL, else the embedded PGlite in DATA_DIR/pglite), applies pending migrations, and
 * hands out the same client for the life of the process. `openDb(target)` opens any other
 * database explicitly (tests, tools) without touching the environment.
 */
import { DatabaseUnavailableError, UserFacingError } from '../errors';
import { checkPostgresReachable, openPglite, pgliteAdapter, postgresClientAdapter } from './connections';
import { PrismaClient } from './generated/client';
import { applyMigrations, applyMigrationsWith, MIGRATIONS_DIR, type MigrationResult } from './migrate';
import { describeTarget, targetFromEnv, type DbKind, type DbTarget } from './target';

export type Db = PrismaClient;

export interface OpenDb {
  db: Db;
  kind: DbKind;
  /** Where the database is, without a password (for logs and the status page). */
  where: string;
  /** What opening it migrated; null when asked not to migrate. */
  migration: MigrationResult | null;
  /** Disconnects the client and, for PGlite, closes the database and releases its folder. */
  close: () => Promise<void>;
}

export interface OpenDbOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  migrationsDir?: string;
}

/** Opens a client on an explicit database. The caller owns it and must `close()` it. */
export async function openDb(target: DbTarget, options: OpenDbOptions = {}): Promise<OpenDb> {
  const { migrate = true, migrationsDir = MIGRATIONS_DIR } = options;
  const where = describeTarget(target);
  if (target.kind === 'postgresql') {
    let migration: MigrationResult | null = null;
    if (migrate)
      migration = await applyMigrations(target, migrationsDir); // checks reachability first
    else await checkPostgresReachable(target.url);
    const db = new PrismaClient({ adapter: postgresClientAdapter(target.url) });
    return { db, kind: 'postgresql', where, migration, close: () => db.$disconnect() };
  }
  const pglite = await openPglite(target.dir);
  try {
    const adapter = pgliteAdapter(pglite.db);
    const migration = migrate ? await applyMigrationsWith(adapter, where, migrationsDir) : null;
    const db = new PrismaClient({ adapter });
    const close = async () => {
      try {
        await db.$disconnect();
      } finally {
        await pglite.close();
      }
    };
    return { db, kind: 'pglite', where, migration, close };
  } catch (err) {
    await pglite.close();
    throw err;
  }
}

// On globalThis rather than in a module variable: Next.js dev reloads modules, and a second
// PGlite on the same folder in one process would corrupt it (a second pg pool merely leaks).
const GLOBAL_KEY = Symbol.for('fashion-mnist-playground.db');
type Holder = { open?: Promise<OpenDb> };
const holder = ((globalThis as Record<symbol, unknown>)[GLOBAL_KEY] ??= {}) as Holder;

/** Opens the configured database once; every caller in the process shares the client. */
function openShared(): Promise<OpenDb> {
  if (!holder.open) {
    const opening = openDb(targetFromEnv()).then(
      (opened) => {
        const applied = opened.migration?.applied ?? [];
        if (applied.length) {
          process.stderr.write(`[db] ${opened.where}: applied ${applied.join(', ')}\n`);
        }
        return opened;
      },
      (err: unknown) => {
        throw new DatabaseUnavailableError(err instanceof Error ? err.message : String(err), { cause: err });
      },
    );
    holder.open = opening;
    // A failed open must not stick: the database may be started after the playground.
    opening.catch(() => {
      if (holder.open === opening) holder.open = undefined;
    });
  }
  return holder.open;
}

/** The process's Prisma client, on the configured database, migrated. */
export async function getDb(): Promise<Db> {
  return (await openShared()).db;
}

/** Closes the process's client (server shutdown, end of a CLI). Safe to call when never opened. */
export async function closeDb(): Promise<void> {
  const open = holder.open;
  holder.open = undefined;
  if (!open) return;
  const opened = await open.catch(() => null);
  await opened?.close();
}

export interface DbHealth {
  ok: boolean;
  kind: DbKind;
  where: string;
  error?: string;
}

/**
 * For the status page: can the configured database (or `target`, opened just for the probe and
 * closed again) answer a query right now?
 */
export async function checkDb(target?: DbTarget): Promise<DbHealth> {
  const probed = target ?? targetFromEnv();
  let where: string;
  try {
    where = describeTarget(probed);
  } catch (err) {
    return { ok: false, kind: probed.kind, where: 'DATABASE_URL', error: messageOf(err) };
  }
  try {
    if (target) {
      const opened = await openDb(target, { migrate: false });
      try {
        await opened.db.$queryRaw`SELECT 1`;
      } finally {
        await opened.close();
      }
    } else {
      await (await getDb()).$queryRaw`SELECT 1`;
    }
    return { ok: true, kind: probed.kind, where };
  } catch (err) {
    return { ok: false, kind: probed.kind, where, error: messageOf(err) };
  }
}

function messageOf(err: unknown): string {
  if (err instanceof UserFacingError) return err.message;
  return err instanceof Error ? err.message.trim().split('\n').pop() || err.name : String(err);
}
