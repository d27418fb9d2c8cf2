/**
 * The one process: Next.js (pages) and Socket.IO (live events) on one HTTP server and one port,
 * the features wired by server/playground.ts. `startServer` is what tests call (port 0, their own
 * status sources, `pages: false` when they need no page build); running this file starts the
 * playground from the environment and stops it cleanly on SIGINT/SIGTERM. With a Redis (REDIS_URL),
 * this process is one web node of several: Socket.IO broadcasts reach every node's sockets through
 * the Redis streams adapter, and the rate limits are counted in Redis.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import next from 'next';
import { Server } from 'socket.io';
import { closeRedis, connectRedis, type Redis } from './cluster/redis';
import { runCli, UserFacingError } from './errors';
import { closeOnSignals } from './signals';
import { MAX_PAYLOAD_BYTES, SERVER_STARTING } from '../lib/protocol';
import type { PlaygroundServer } from './sockets';
import { createStatusService, type StatusService, type StatusSources } from './realtime/status';
import { attachPlayground, DEFAULT_REDIS_PREFIX, type Playground, type PlaygroundOptions } from './playground';
import { passOriginToPages } from './http/client';
import { applySecurityHeaders, type SecurityOptions } from './http/security';

/** The first database check opens and migrates it; PGlite's first start alone takes seconds. */
const FIRST_DATABASE_CHECK_MS = 60_000;

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StartServerOptions extends Omit<PlaygroundOptions, 'status' | 'redis'> {
  /** 0 picks a free port (tests). */
  port: number;
  /** Address to listen on; 127.0.0.1 keeps a test server off the network. */
  host?: string;
  /** Next.js development mode (compiles pages on demand, hot reload) instead of the built app. */
  dev: boolean;
  /** Serve the pages (Next.js); false serves only Socket.IO and /api, for tests that need no page build. */
  pages?: boolean;
  /** Where the status comes from; by default the real backend, model and database modules. */
  sources?: StatusSources;
  /** How often the status sources are polled, in ms. */
  statusPollMs?: number;
  /** Keep Next.js from printing its own banner. */
  quiet?: boolean;
  /** Fail to start when the first database check fails (the CLI does; tests may not). */
  requireDatabase?: boolean;
  /** Several machines: the Redis this node shares with the others; default env.REDIS_URL (unset: one process). */
  redisUrl?: string;
}

export interface RunningServer {
  /** Base URL for a browser on this machine, e.g. http://localhost:3000. */
  url: string;
  io: PlaygroundServer;
  status: StatusService;
  /** The attached features (server/playground.ts). */
  playground: Playground;
  /** Several machines: this node's general-purpose Redis connection (the playground's); undefined in one process. */
  redis?: Redis;
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { dev, host = '0.0.0.0', quiet = false, pages = true } = options;
  if (pages && !dev && !existsSync(path.join(PROJECT_DIR, '.next', 'BUILD_ID'))) {
    throw new UserFacingError(
      'There is no production build of the pages in .next; run `npm start` (it builds first) or `npm run build`.',
    );
  }

  const { env } = await import('./env');
  const redisUrl = options.redisUrl ?? env.REDIS_URL;
  const security: SecurityOptions = { dev, trustProxy: env.TRUST_PROXY, publicUrl: env.PUBLIC_URL };

  // Listen before preparing Next.js: a busy port is reported at once, not after a slow compile.
  let handleRequest: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '2' });
    res.end('The playground is starting; reload in a moment.\n');
  };
  const httpServer = http.createServer(
    {
      // A request (headers and body) that does not arrive within seconds gets 408 and is closed,
      // instead of being held for minutes (Node's default is 300 s, checked every 30 s).
      requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1000, env.HTTP_REQUEST_TIMEOUT_MS / 2),
    },
    (req, res) => {
      applySecurityHeaders(req, res, security);
      passOriginToPages(req, security);
      handleRequest(req, res);
    },
  );
  await listen(httpServer, options.port, host);
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;

  // Two connections: the adapter's is its own (it duplicates it for its blocking stream reads and
  // its subscriptions), the other carries the playground's commands (limits, sessions).
  const redisPrefix = options.redisPrefix ?? DEFAULT_REDIS_PREFIX;
  const adapterRedis = redisUrl ? connectRedis(redisUrl, { name: 'socket.io adapter' }) : undefined;
  const redis = redisUrl ? connectRedis(redisUrl, { name: 'shared state' }) : undefined;
  const io: PlaygroundServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_PAYLOAD_BYTES,
    serveClient: false,
    // Next.js listens for its own upgrades (hot reload in dev); Socket.IO must not cut them off.
    destroyUpgrade: false,
    ...(adapterRedis && {
      adapter: createAdapter(adapterRedis, {
        streamName: `${redisPrefix}socket.io`,
        channelPrefix: `${redisPrefix}socket.io`,
        sessionKeyPrefix: `${redisPrefix}socket.io:session:`,
      }),
    }),
  });
  // Socket.IO accepts connections as soon as the port listens; a socket let in before the
  // handlers exist would never get an answer. Refuse until they do (the page's client retries).
  let ready = false;
  io.use((_socket, next) => (ready ? next() : next(new Error(SERVER_STARTING))));

  let status: StatusService | undefined;
  let closeSources = (): Promise<void> => Promise.resolve();
  try {
    // The status first: an unreachable database is reported before the slow part.
    const sources = options.sources ?? (await import('./realtime/status-sources')).loadStatusSources();
    const own = await sources;
    closeSources = () => own.close?.() ?? Promise.resolve();
    // Several machines: the status panel also lists the trainer processes.
    const listTrainers = redis && (await import('./cluster/trainers')).listTrainers;
    const resolved: StatusSources =
      redis && listTrainers ? { ...own, trainers: () => listTrainers(redis, redisPrefix) } : own;
    status = createStatusService(resolved, { pollMs: options.statusPollMs });
    const { database } = await status.refresh(FIRST_DATABASE_CHECK_MS);
    if (options.requireDatabase && !database.ok) {
      throw new UserFacingError(`The playground cannot start: ${database.error ?? 'the database is unreachable.'}`);
    }

    const app = pages ? next({ dev, dir: PROJECT_DIR, hostname: host, port, httpServer, quiet }) : undefined;
    await app?.prepare();
    const pageHandler = app?.getRequestHandler();
    const playground = await attachPlayground(io, { ...options, status, redis, redisPrefix });
    handleRequest = (req, res) => {
      if (playground.api.handles(req.url)) {
        // handle() answers every error itself; this only keeps a bug there from ending the process.
        return void playground.api.handle(req, res).catch((err: unknown) => {
          console.error('[http] API request failed:', err);
          if (!res.headersSent && !res.destroyed)
            res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal server error.\n');
        });
      }
      if (!pageHandler)
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('This server serves no pages.\n');
      pageHandler(req, res).catch((err: unknown) => {
        console.error('[http] request failed:', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal server error.\n');
      });
    };
    ready = true;
    status.start();
    const running = status;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        running.stop();
        await playground.detach();
        const ioClosed = new Promise<void>((resolve) => io.close(() => resolve()));
        httpServer.closeAllConnections(); // keep-alive sockets would hold close() open
        await ioClosed;
        await app?.close();
        await closeSources();
        await closeRedis(adapterRedis, redis);
      })());
    return { url, io, status: running, playground, redis, close };
  } catch (err) {
    status?.stop();
    io.close();
    httpServer.closeAllConnections();
    await closeSources().catch(() => {});
    await closeRedis(adapterRedis, redis);
    throw err;
  }
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new UserFacingError(`Port ${port} is already in use; stop the other process or set PORT to a free port.`),
        );
      } else if (err.code === 'EACCES') {
        reject(new UserFacingError(`Not allowed to listen on port ${port}; set PORT to a number above 1024.`));
      } else {
        reject(err);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A URL for the log: a Redis password must not end up in log files. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function main(): Promise<void> {
  // Loaded here, not at the top, so that a bad variable becomes one sentence from runCli.
  const { env } = await import('./env').catch((err: unknown) => {
    throw new UserFacingError(err instanceof Error ? err.message : String(err));
  });
  const dev = env.NODE_ENV !== 'production';
  const server = await startServer({
    port: env.PORT,
    host: env.HOST,
    dev,
    requireDatabase: true,
    pages: env.PAGES,
    redisPrefix: env.REDIS_PREFIX,
  });
  const { backend, database, model } = server.status.current();
  console.log(`Fashion-MNIST playground: ${server.url} (${dev ? 'development' : 'production'})`);
  console.log(
    `  backend ${backend.name ?? 'none'}, model ${model.loaded ? model.path : 'not loaded'}, ` +
      `database ${database.kind} ${database.ok ? 'reachable' : `unreachable: ${database.error}`}`,
  );
  if (env.REDIS_URL)
    console.log(`  several machines: Redis ${withoutPassword(env.REDIS_URL)} (Socket.IO adapter, shared limits)`);

  closeOnSignals('closing connections', () => server.close(), 10_000);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // Next.js reports usage to its servers unless told not to; the playground runs offline.
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  void runCli(main);
}
