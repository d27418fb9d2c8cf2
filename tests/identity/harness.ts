/**
 * A voting server for tests: the playground without pages (tests/helpers/server.ts), with the
 * test cookie secret and tiny seeded (untrained) VAE and judge models saved to a temp folder: the
 * voting rules do not depend on how good the garments look.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { AttachedVoting } from '../../server/realtime/voting/handlers';
import type { VotingSettings } from '../../server/realtime/voting/rooms';
import type { FreshPostgres } from '../helpers/freshDatabase';
import {
  connectClient,
  pickNickname,
  startTestServer,
  type TestClient,
  type TestServer,
  type TestServerOptions,
} from '../helpers/server';

export { connectClient as connectWithCookie, ok, pickNickname, request } from '../helpers/server';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export const TINY_PRIOR_MEAN = 6;

export interface TinyModels {
  vaeDir: string;
  judgeDir: string;
  remove(): Promise<void>;
}

/** Where tinyModels() puts them; a server may be started on these folders before they are written. */
export async function tinyModelFolders(): Promise<TinyModels> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vote-models-'));
  return {
    vaeDir: path.join(dir, 'vae'),
    judgeDir: path.join(dir, 'cnn'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Writes the tiny models into `folders` (default fresh ones). It loads the backend and with it the
 * environment, so a test that starts a server calls it after the server has started.
 */
export async function tinyModels(folders?: TinyModels): Promise<TinyModels> {
  const into = folders ?? (await tinyModelFolders());
  const { initBackend } = await import('../../server/ml/backend');
  const { saveVae, buildVae } = await import('../../server/ml/models/vae');
  const { saveClassPriors } = await import('../../server/ml/models/classPrior');
  const { saveLayersModel } = await import('../../server/ml/models/storage');
  const { tinyCnn } = await import('../helpers/models');
  await initBackend();
  await saveVae(
    buildVae({ latent: 8, filters: [4, 8], dense: 16, fullRes: 4, resBlocks: 0, encoderResBlocks: 0 }, 3),
    into.vaeDir,
  );
  // A latent prior far from N(0, I) (every class at 6, spread 0.01), so tests can see it is used.
  const identity = Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 0.01 : 0));
  const component = { weight: 1, mean: Array(8).fill(TINY_PRIOR_MEAN), cholesky: identity };
  await saveClassPriors(
    { latent: 8, fittedOn: 1, classes: Array.from({ length: 10 }, () => ({ components: [component] })) },
    into.vaeDir,
  );
  await saveLayersModel(await tinyCnn(5), into.judgeDir);
  return into;
}

export interface VotingServer extends TestServer {
  voting: AttachedVoting;
}

/**
 * Starts the playground (no pages) on `models`: voting (small rounds: 6 candidates, best of 2) and
 * drawing use them, the test cookie secret signs guests; then writes the tiny models if they are
 * not there yet. `options` adds to or replaces that (sessions, limits, a database to restart on).
 */
export async function startTinyPlayground(models: TinyModels, options: TestServerOptions = {}): Promise<VotingServer> {
  const server = await startTestServer({
    ...options,
    identity: { secret: TEST_SECRET, ...options.identity },
    voting: {
      vaeDir: models.vaeDir,
      judgeDir: models.judgeDir,
      ...options.voting,
      settings: { bestOf: 2, candidates: 6, ...options.voting?.settings },
    },
    draw: { modelDir: models.judgeDir, ...options.draw },
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(path.join(models.judgeDir, 'model.json'))) await tinyModels(models);
  return { ...server, voting: server.playground.voting };
}

/**
 * A fixture's server options, or a function that makes them once the server's modules may be
 * imported (e.g. limits), given the file's tiny models (their temp folder is the file's scratch
 * space, removed after the servers close).
 */
type FixtureOptions = TestServerOptions | ((models: TinyModels) => Promise<TestServerOptions> | TestServerOptions);
const resolveOptions = async (options: FixtureOptions, models: TinyModels) =>
  typeof options === 'function' ? options(models) : options;

/** A folder for the file's own files (e.g. sessions' output), inside the tiny models' temp folder. */
export const scratchDir = (models: TinyModels, name: string) => path.join(path.dirname(models.vaeDir), name);

/** Connects clients and remembers them, to disconnect them all before the servers close. */
function clientList() {
  const clients: TestClient[] = [];
  return {
    async connect(url: string, cookie?: string): Promise<TestClient> {
      const client = await connectClient(url, cookie);
      clients.push(client);
      return client;
    },
    disconnectAll: () => {
      for (const c of clients.splice(0)) c.disconnect();
    },
  };
}

export interface TinyPlaygroundFixture {
  server: VotingServer;
  models: TinyModels;
  /** A client (as the guest of `cookie`), disconnected after the file's tests. */
  connect(cookie?: string): Promise<TestClient>;
  /** A guest who picked `nickname`, connected. */
  guest(nickname: string): Promise<{ client: TestClient; cookie: string; id: string }>;
}

/**
 * A test file's (or describe block's) playground: startTinyPlayground on fresh tiny models, started
 * before its tests and closed after them with every client it connected.
 */
export function withTinyPlayground(options: FixtureOptions = {}): TinyPlaygroundFixture {
  const clients = clientList();
  const fx: TinyPlaygroundFixture = {
    server: undefined as unknown as VotingServer,
    models: undefined as unknown as TinyModels,
    connect: (cookie) => clients.connect(fx.server.url, cookie),
    async guest(nickname) {
      const { cookie, guest } = await pickNickname(fx.server.url, nickname);
      return { client: await fx.connect(cookie), cookie, id: guest.id };
    },
  };
  beforeAll(async () => {
    fx.models = await tinyModelFolders();
    fx.server = await startTinyPlayground(fx.models, await resolveOptions(options, fx.models));
  }, 120_000);
  afterAll(async () => {
    clients.disconnectAll();
    await fx.server?.close();
    await fx.models?.remove();
  });
  return fx;
}

/**
 * Two web nodes of one playground (several machines): startTinyPlayground twice on one Redis
 * (a key prefix of their own, deleted by `close`) and one database, returned once each node hears
 * the other's broadcasts (a node reads the adapter's stream from a moment after it started).
 */
export async function startTinyNodes(
  models: TinyModels,
  options: TestServerOptions = {},
): Promise<{ a: VotingServer; b: VotingServer; close(): Promise<void> }> {
  const { deleteKeys, redisUrl, uniquePrefix, untilReady } = await import('../helpers/redis');
  const shared = { redisUrl: redisUrl(), redisPrefix: uniquePrefix(), ...options };
  const a = await startTinyPlayground(models, shared);
  const b = await startTinyPlayground(models, { ...shared, database: a.database });
  await untilReady(a.redis!, b.redis!);
  await Promise.all([heard(a, b), heard(b, a)]);
  return {
    a,
    b,
    async close() {
      await b.close();
      await a.close();
      await deleteKeys(shared.redisPrefix);
    },
  };
}

export interface TinyNodesFixture {
  a: VotingServer;
  b: VotingServer;
  /** A client of `node` (as the guest of `cookie`), disconnected after the file's tests. */
  connect(node: VotingServer, cookie?: string): Promise<TestClient>;
}

/**
 * A test file's two nodes (startTinyNodes on fresh tiny models), started before its tests and
 * closed after them with every client they connected.
 */
export function withTinyNodes(options: FixtureOptions = {}): TinyNodesFixture {
  let models: TinyModels | undefined;
  let nodes: Awaited<ReturnType<typeof startTinyNodes>> | undefined;
  const clients = clientList();
  const fx: TinyNodesFixture = {
    a: undefined as unknown as VotingServer,
    b: undefined as unknown as VotingServer,
    connect: (node, cookie) => clients.connect(node.url, cookie),
  };
  beforeAll(async () => {
    models = await tinyModelFolders();
    nodes = await startTinyNodes(models, await resolveOptions(options, models));
    fx.a = nodes.a;
    fx.b = nodes.b;
  }, 60_000);
  afterAll(async () => {
    clients.disconnectAll();
    await nodes?.close();
    await models?.remove();
  });
  return fx;
}

/** Resolves once a broadcast from `from` reaches a client of `to`. */
async function heard(from: VotingServer, to: VotingServer): Promise<void> {
  const { connectClient } = await import('../helpers/server');
  const client = await connectClient(to.url);
  const mark = `probe ${Math.random()}`;
  const arrived = new Promise<void>((resolve) =>
    client.on('status', (s: { serverTime: string }) => s.serverTime === mark && resolve()),
  );
  const emit = () => from.io.emit('status', { ...from.status.current(), serverTime: mark });
  const timer = setInterval(emit, 50);
  emit();
  await arrived.finally(() => clearInterval(timer));
  client.disconnect();
}

/** startTinyPlayground with voting settings, optionally on a database to restart on. */
export function startVotingServer(
  models: TinyModels,
  settings: Partial<VotingSettings> = {},
  database?: FreshPostgres,
): Promise<VotingServer> {
  return startTinyPlayground(models, { voting: { settings }, ...(database ? { database } : {}) });
}

export interface BrowserPlayground {
  server: VotingServer;
  browser: Browser;
  models: TinyModels;
}

/**
 * A page test's playground: the server with its pages on tiny models, and headless Chromium,
 * started before the file's tests and closed after them.
 */
export function withBrowserPlayground(options: TestServerOptions = {}): BrowserPlayground {
  const fx = {} as BrowserPlayground;
  beforeAll(async () => {
    fx.models = await tinyModelFolders();
    const { launchBrowser } = await import('../helpers/browser');
    [fx.server, fx.browser] = await Promise.all([
      startTinyPlayground(fx.models, { pages: true, ...options }),
      launchBrowser(),
    ]);
  }, 600_000);
  afterAll(async () => {
    await fx.browser?.close();
    await fx.server?.close();
    await fx.models?.remove();
  });
  return fx;
}
