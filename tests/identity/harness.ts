/**
 * A voting server for tests without Next.js: one HTTP server with the identity and voting parts
 * exactly as server/main.ts wires them (handshake check, API routes, socket events), on a fresh
 * database, with tiny seeded (untrained) VAE and judge models saved to a temp folder: the voting
 * rules do not depend on how good the garments look.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { openDb, type OpenDb } from '../../server/db';
import { attachIdentity, createHttpApi } from '../../server/identity';
import { initBackend } from '../../server/ml/backend';
import { buildCnn } from '../../server/ml/models/cnn';
import { saveLayersModel } from '../../server/ml/models/storage';
import { buildVae, saveVae } from '../../server/ml/models/vae';
import { saveClassPriors } from '../../server/ml/generation/classPrior';
import type { PlaygroundServer } from '../../server/sockets';
import { attachVoting, type AttachedVoting } from '../../server/realtime/voting/handlers';
import type { VotingSettings } from '../../server/realtime/voting/rooms';
import type { Reply, RequestData, RequestName, RequestPayload } from '../../lib/protocol';
import type { TestClient } from '../helpers/server';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export const TINY_PRIOR_MEAN = 6;

export async function tinyModels(into?: string): Promise<{ vaeDir: string; judgeDir: string; remove: () => Promise<void> }> {
  await initBackend();
  const dir = into ?? (await mkdtemp(path.join(os.tmpdir(), 'vote-models-')));
  await saveVae(buildVae({ latent: 8, filters: [4, 8], dense: 16, fullRes: 4, resBlocks: 0, encoderResBlocks: 0 }, 3), path.join(dir, 'vae'));
  // A latent prior far from N(0, I) (every class at 6, spread 0.01), so tests can see it is used.
  const identity = Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 0.01 : 0));
  const component = { weight: 1, mean: Array(8).fill(TINY_PRIOR_MEAN), cholesky: identity };
  await saveClassPriors({ latent: 8, fittedOn: 1, classes: Array.from({ length: 10 }, () => ({ components: [component] })) }, path.join(dir, 'vae'));
  await saveLayersModel(buildCnn({ filters: [4, 8, 8], dense: 16 }, 5), path.join(dir, 'cnn'));
  return { vaeDir: path.join(dir, 'vae'), judgeDir: path.join(dir, 'cnn'), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface VotingServer {
  url: string;
  db: OpenDb['db'];
  voting: AttachedVoting;
  close(): Promise<void>;
}

export async function startVotingServer(
  opened: OpenDb,
  models: { vaeDir: string; judgeDir: string },
  settings: Partial<VotingSettings> = {},
): Promise<VotingServer> {
  const httpServer = http.createServer();
  const io: PlaygroundServer = new Server(httpServer, { serveClient: false });
  const getDb = async () => opened.db;
  const identity = await attachIdentity(io, { secret: TEST_SECRET, getDb });
  const voting = await attachVoting(io, identity.guests, { getDb, ...models, settings: { bestOf: 2, candidates: 6, ...settings } });
  const api = createHttpApi([...identity.routes, ...voting.routes]);
  httpServer.on('request', (req, res) => {
    if (api.handles(req.url)) void api.handle(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return {
    url,
    db: opened.db,
    voting,
    async close() {
      identity.detach();
      await voting.detach();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections();
    },
  };
}

/** Picks a nickname over HTTP; returns the Cookie header to send. */
export async function pickNickname(url: string, nickname: string, cookie?: string): Promise<{ cookie: string; guest: { id: string; nickname: string } }> {
  const res = await fetch(`${url}/api/identity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ nickname }),
  });
  if (res.status !== 200) throw new Error(`POST /api/identity: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, guest: ((await res.json()) as { guest: { id: string; nickname: string } }).guest };
}

export async function connectWithCookie(url: string, cookie?: string): Promise<TestClient> {
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

export function request<N extends RequestName>(client: TestClient, name: N, payload: RequestPayload<N>): Promise<Reply<RequestData<N>>> {
  return new Promise((resolve) => (client.emit as (...a: unknown[]) => void)(name, payload, resolve));
}

export async function ok<N extends RequestName>(client: TestClient, name: N, payload: RequestPayload<N>): Promise<RequestData<N>> {
  const reply = await request(client, name, payload);
  if (!reply.ok) throw new Error(`${name}: ${reply.error}`);
  return reply.data;
}
