/**
 * Opens the two kinds of database connection: a PostgreSQL pool (through @prisma/adapter-pg) or an
 * embedded PGlite folder (through pglite-prisma-adapter), as Prisma driver-adapter factories for
 * the client and for the schema engine. Owns the one-process-per-folder lock of PGlite.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { UserFacingError } from '../errors';
import { MEMORY_PGLITE, postgresConnectionError } from './target';

const CONNECT_TIMEOUT_MS = 5000;

/** Fails with a readable sentence when the server is down, the login is wrong or the database is missing. */
export async function checkPostgresReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A failed connect can also emit 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw postgresConnectionError(url, err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Adapter factory for a PrismaClient on PostgreSQL; the client's $disconnect ends its pool. */
export function postgresClientAdapter(url: string): PrismaPg {
  return new PrismaPg(
    { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    { onPoolError: () => {} },
  );
}

/**
 * Adapter factory for the schema engine on PostgreSQL. One connection: the engine's advisory lock
 * (taken and released by separate queries) must stay on the session that took it.
 */
export function postgresMigrationAdapter(url: string): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close: () => Promise<void>;
} {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  pool.on('error', () => {});
  const inner = new PrismaPg(pool);
  const factory = wholeScripts(inner, (script) => pool.query(script).then(() => undefined));
  return { factory, close: () => pool.end() };
}

/** Adapter factory for PGlite, used by both the client and the schema engine. */
export function pgliteAdapter(db: PGlite): SqlMigrationAwareDriverAdapterFactory {
  // The package's types come from an older @prisma/driver-adapter-utils (7.2); the shape is the same.
  const inner = new PrismaPGlite(db) as unknown as SqlMigrationAwareDriverAdapterFactory;
  return wholeScripts(inner, (script) => db.exec(script).then(() => undefined));
}

/**
 * Replaces the adapters' `executeScript`, which the schema engine uses to run a migration file.
 * adapter-pg splits the script on every ';' (breaking `$$` bodies and string literals) and runs
 * the pieces on whichever pooled connection is free; pglite-prisma-adapter does not await the
 * script, so a failing migration would be recorded as applied. Sending the file as one simple
 * query runs it whole, in PostgreSQL's implicit transaction, as the native engine does.
 */
function wholeScripts(
  inner: SqlMigrationAwareDriverAdapterFactory,
  run: (script: string) => Promise<void>,
): SqlMigrationAwareDriverAdapterFactory {
  const patch = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const onError = (adapter as unknown as { onError: (e: unknown) => never }).onError.bind(adapter);
    adapter.executeScript = async (script: string) => {
      try {
        await run(script);
      } catch (err) {
        onError(err); // rethrows as a DriverAdapterError the engine can report
      }
    };
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => patch(await inner.connect()),
    connectToShadowDb: async () => patch(await inner.connectToShadowDb()),
  };
}

const OPEN_DIRS_KEY = Symbol.for('fashion-mnist-playground.pgliteOpenDirs');
const openDirs: Set<string> = ((globalThis as Record<symbol, unknown>)[OPEN_DIRS_KEY] ??=
  new Set<string>()) as Set<string>;

export interface OpenPglite {
  db: PGlite;
  /** Closes the database and releases the folder's lock. */
  close: () => Promise<void>;
}

/** Opens (creating if needed) the PGlite database in `dir`, or an in-memory one for `memory://`. */
export async function openPglite(dir: string): Promise<OpenPglite> {
  if (dir === MEMORY_PGLITE) {
    const db = await PGlite.create();
    return { db, close: () => db.close() };
  }
  const absolute = path.resolve(dir);
  mkdirSync(path.dirname(absolute), { recursive: true });
  const unlock = lockFolder(absolute);
  try {
    const db = await PGlite.create(absolute);
    return {
      db,
      close: async () => {
        try {
          if (!db.closed) await db.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (err) {
    unlock();
    throw new UserFacingError(
      `Cannot open the embedded database in ${absolute} (${err instanceof Error ? err.message : String(err)}): move the folder away to start a fresh one, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

/**
 * PGlite is PostgreSQL in one process: two processes writing the same folder corrupt it. A lock
 * file beside the folder holds the owner's pid; a lock whose process is gone is taken over.
 */
function lockFolder(dir: string): () => void {
  const lockPath = `${dir}.lock`;
  if (openDirs.has(dir)) {
    throw new UserFacingError(
      `The embedded database in ${dir} is already open in this process: reuse the client from getDb() instead of opening it again.`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      openDirs.add(dir);
      return () => {
        openDirs.delete(dir);
        rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new UserFacingError(
          `The embedded database in ${dir} is in use by another process (pid ${owner}): stop that process, or set DATABASE_URL to a PostgreSQL server that several processes can share.`,
        );
      }
      rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new UserFacingError(`Cannot lock the embedded database in ${dir}: remove ${lockPath} and try again.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
