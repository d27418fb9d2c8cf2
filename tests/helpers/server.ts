/**
 * Starts the real playground server for a test (server/main.ts startServer, wired by
 * server/playground.ts as in production), on a free port on 127.0.0.1, against a fresh PostgreSQL
 * database that is dropped afterwards. Socket and /api tests get it without pages (no page build,
 * starts in about a second); `pages: true` adds the production build of the pages (built first
 * when .next is missing or stale) for page and browser tests. One server per test file: the
 * server's environment is parsed once per process. Several machines: servers given the same
 * `redisUrl`, `redisPrefix` and `database` are web nodes of one playground (tests/helpers/redis.ts).
 */
import { io as connect, type Socket } from 'socket.io-client';
import type { RunningServer, StartServerOptions } from '../../server/main';
import type { Db } from '../../server/db';
import type {
  ClientToServerEvents,
  RequestData,
  RequestName,
  RequestPayload,
  Reply,
  ServerToClientEvents,
} from '../../lib/protocol';
import { ensureNextBuild } from '../../scripts/start.mjs';
import { createFreshPostgres, type FreshPostgres } from './freshDatabase';
import { uniquePrefix } from './redis';

export interface TestServerOptions extends Partial<StartServerOptions> {
  /** A database the caller owns and drops (to restart a server on the same rows); default: a fresh one, dropped on close. */
  database?: FreshPostgres;
}

export interface TestServer extends RunningServer {
  database: FreshPostgres;
  /** The server's own database client, for checking stored rows. */
  db: Db;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { database: given, ...serverOptions } = options;
  const pages = options.pages ?? false;
  if (pages) await ensureNextBuild({ quiet: true });
  const database = given ?? (await createFreshPostgres());
  const dropOwn = () => (given ? Promise.resolve() : database.drop());
  // server/env.ts parses the environment when it is first imported, which happens below.
  process.env.DATABASE_URL = database.url;
  const { env } = await import('../../server/env');
  if (env.DATABASE_URL !== database.url) {
    await dropOwn();
    throw new Error(
      'server/env.ts was imported before startTestServer(); start the server first (import server modules lazily or as types).',
    );
  }
  const { startLocalServer } = await import('../../server/cli/bench');
  const { RELAXED_LIMITS, RELAXED_MESSAGE_BUDGET } = await import('../../server/limits');
  try {
    // Other features' tests act fast from one address: limits and the message budget relaxed and
    // new guests may vote at once, unless a test asks for the real ones (tests/server/security*.test.ts).
    const server = await startLocalServer({
      limits: RELAXED_LIMITS,
      messageBudget: RELAXED_MESSAGE_BUDGET,
      // Test files run in parallel on one Redis (when REDIS_URL or redisUrl is set): keys of their own.
      redisPrefix: uniquePrefix(),
      ...serverOptions,
      voting: { minGuestAgeSeconds: 0, ...serverOptions.voting },
      pages,
    });
    const db = await (await import('../../server/db')).getDb();
    return {
      ...server,
      database,
      db,
      close: async () => {
        await server.close();
        await dropOwn();
      },
    };
  } catch (err) {
    await dropOwn();
    throw err;
  }
}

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A real Socket.IO client, connected (websocket only, so a test does not wait on polling upgrades),
 * optionally as the guest whose cookie header is given (see pickNickname).
 */
export async function connectClient(url: string, cookie?: string): Promise<TestClient> {
  const client: TestClient = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: cookie ? { cookie } : {},
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('connect_error', reject);
  });
  return client;
}

/** Sends a request and resolves with its Reply (ok or not). */
export function request<N extends RequestName>(
  client: TestClient,
  name: N,
  payload: RequestPayload<N>,
): Promise<Reply<RequestData<N>>> {
  return new Promise((resolve) => (client.emit as (...a: unknown[]) => void)(name, payload, resolve));
}

/** Sends a request and resolves with its data; a refusal fails the test with the server's sentence. */
export async function ok<N extends RequestName>(
  client: TestClient,
  name: N,
  payload: RequestPayload<N>,
): Promise<RequestData<N>> {
  const reply = await request(client, name, payload);
  if (!reply.ok) throw new Error(`${name}: ${reply.error}`);
  return reply.data;
}

/** Picks a nickname over HTTP; returns the Cookie header to send and the guest. */
export async function pickNickname(
  url: string,
  nickname: string,
  cookie?: string,
): Promise<{ cookie: string; guest: { id: string; nickname: string } }> {
  const res = await fetch(`${url}/api/identity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ nickname }),
  });
  if (res.status !== 200) throw new Error(`POST /api/identity: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie')!;
  return {
    cookie: setCookie.split(';')[0]!,
    guest: ((await res.json()) as { guest: { id: string; nickname: string } }).guest,
  };
}
