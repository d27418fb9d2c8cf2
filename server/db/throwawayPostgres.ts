/**
 * Throw-away PostgreSQL databases (tests, and the several-machines bench): a new database with a
 * name of its own on a server, dropped when done, so runs never see each other's rows. The
 * counterpart of pgliteTemplate.ts's throw-away PGlite folders.
 */
import pg from 'pg';

export interface ThrowawayPostgres {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>;
}

/** What to throw when the server does not answer (`why`: the driver's reason). */
export type Unreachable = (why: string) => Error;

/** `fn` with a client connected to `serverUrl` (its own database), to create or drop databases. */
export async function withAdminClient<T>(
  serverUrl: string,
  unreachable: Unreachable,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw unreachable((err as Error).message);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates the database `name` on the server of `serverUrl`; `before` runs first on the same
 * connection (e.g. to drop databases a crashed run left behind).
 */
export async function createThrowawayPostgres(
  serverUrl: string,
  name: string,
  unreachable: Unreachable,
  before: (client: pg.Client) => Promise<void> = async () => {},
): Promise<ThrowawayPostgres> {
  const admin = <T>(fn: (client: pg.Client) => Promise<T>) => withAdminClient(serverUrl, unreachable, fn);
  await admin(async (client) => {
    await before(client);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
