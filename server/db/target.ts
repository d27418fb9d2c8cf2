/**
 * Which database the playground talks to: a PostgreSQL server (DATABASE_URL) or the embedded PGlite
 * database in a folder. Also turns connection failures into one sentence a person can act on.
 */
import path from 'node:path';
import { dataDir, env } from '../env';
import { UserFacingError } from '../errors';

export type DbKind = 'postgresql' | 'pglite';

/** `dir` of a PGlite target is a folder, or `memory://` for a throwaway in-memory database. */
export type DbTarget = { kind: 'postgresql'; url: string } | { kind: 'pglite'; dir: string };

export const MEMORY_PGLITE = 'memory://';

/** The configured database: DATABASE_URL, else the embedded one in `${DATA_DIR}/pglite`. */
export function targetFromEnv(): DbTarget {
  return env.DATABASE_URL
    ? { kind: 'postgresql', url: env.DATABASE_URL }
    : { kind: 'pglite', dir: path.join(dataDir(), 'pglite') };
}

/** Where a target is, for messages and logs, without the password. */
export function describeTarget(target: DbTarget): string {
  if (target.kind === 'pglite') {
    return target.dir === MEMORY_PGLITE ? 'an in-memory PGlite database' : `PGlite in ${target.dir}`;
  }
  const { host, database } = parsePostgresUrl(target.url);
  return `PostgreSQL at ${host}/${database}`;
}

/** Host:port and database name of a PostgreSQL URL; a malformed URL is the person's to fix. */
export function parsePostgresUrl(url: string): { host: string; database: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserFacingError(
      'DATABASE_URL is not a valid URL: use postgresql://user:password@host:5432/database, or unset it to use the embedded database.',
    );
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new UserFacingError(
      `DATABASE_URL must start with postgresql:// (it starts with ${parsed.protocol}//): fix it, or unset it to use the embedded database.`,
    );
  }
  const host = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.username || 'postgres';
  return { host, database };
}

interface PgLikeError {
  code?: string;
  message?: string;
}

/**
 * A PostgreSQL connection error as one sentence with the fix. Node's socket errors and the
 * server's SQLSTATE codes are the only reliable signal, so we switch on them.
 */
export function postgresConnectionError(url: string, err: unknown): UserFacingError {
  const { host, database } = parsePostgresUrl(url);
  const e = (err ?? {}) as PgLikeError;
  const hint = 'start it or unset DATABASE_URL to use the embedded database';
  switch (e.code) {
    case 'ECONNREFUSED':
      return new UserFacingError(`Cannot reach PostgreSQL at ${host} (connection refused): ${hint}.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserFacingError(
        `Cannot reach PostgreSQL at ${host} (unknown host): check the host in DATABASE_URL or unset it to use the embedded database.`,
      );
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
      return new UserFacingError(`Cannot reach PostgreSQL at ${host} (${e.code}): ${hint}.`);
    case '28P01':
    case '28000':
      return new UserFacingError(
        `PostgreSQL at ${host} refused the login (${e.message ?? 'authentication failed'}): fix the user and password in DATABASE_URL.`,
      );
    case '3D000':
      return new UserFacingError(
        `PostgreSQL at ${host} has no database "${database}": create it (createdb ${database}) or change DATABASE_URL.`,
      );
    default:
      if (e.message && /timeout/i.test(e.message)) {
        return new UserFacingError(`Cannot reach PostgreSQL at ${host} (timed out): ${hint}.`);
      }
      return new UserFacingError(
        `Cannot use PostgreSQL at ${host}/${database} (${e.code ? `${e.code} ` : ''}${e.message ?? String(err)}): check DATABASE_URL or unset it to use the embedded database.`,
      );
  }
}
