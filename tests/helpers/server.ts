/**
 * Starts the real playground server for a test: the production build of the pages (built first
 * when .next is missing or stale), on a free port on 127.0.0.1, against a fresh PostgreSQL database
 * that is dropped afterwards. One server per test file: the server's environment is parsed once
 * per process.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import type { RunningServer, StartServerOptions } from '../../server/main';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/protocol';
import { ensureNextBuild } from '../../scripts/start.mjs';

/** The PostgreSQL that runs beside every session and CI (trust auth). */
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `fmp_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `postgresql://postgres@127.0.0.1:5432/${name}`,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestServer extends RunningServer {
  database: TestDatabase;
}

export async function startTestServer(options: Partial<StartServerOptions> = {}): Promise<TestServer> {
  await ensureNextBuild({ quiet: true });
  const database = await createTestDatabase();
  // server/env.ts parses the environment when it is first imported, which happens below.
  process.env.DATABASE_URL = database.url;
  const { env } = await import('../../server/env');
  if (env.DATABASE_URL !== database.url) {
    await database.drop();
    throw new Error('server/env.ts was imported before startTestServer(); start the server first.');
  }
  const { startServer } = await import('../../server/main');
  try {
    const server = await startServer({ port: 0, host: '127.0.0.1', dev: false, quiet: true, ...options });
    return {
      ...server,
      database,
      close: async () => {
        await server.close();
        await database.drop();
      },
    };
  } catch (err) {
    await database.drop();
    throw err;
  }
}

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real Socket.IO client, connected (websocket only, so a test does not wait on polling upgrades). */
export async function connectClient(url: string): Promise<TestClient> {
  const client: TestClient = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('connect_error', reject);
  });
  return client;
}
