/**
 * The request edge (onRequest) on an in-process Socket.IO server and a real client: a handler that
 * throws still answers exactly once, and only a UserFacingError's sentence reaches the client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { UserFacingError } from '../../server/errors';
import type { Status } from '../../lib/protocol';
import { onRequest, type PlaygroundServer } from '../../server/realtime/requests';
import { connectClient, type TestClient } from '../helpers/server';

let io: PlaygroundServer;
let client: TestClient;
let behaviour: () => Status = () => {
  throw new Error('unset');
};

beforeAll(async () => {
  const httpServer = http.createServer();
  io = new Server(httpServer);
  io.on('connection', (socket) => onRequest(socket, 'status:get', () => behaviour()));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  client = await connectClient(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`);
});

afterAll(async () => {
  client?.disconnect();
  await new Promise<void>((resolve) => io.close(() => resolve()));
});

it('turns a crashing handler into ok:false without internals, and keeps serving', async () => {
  const log = vi.spyOn(console, 'error').mockImplementation(() => {});
  behaviour = () => {
    throw new Error('secret internal detail');
  };
  const reply = await client.timeout(2000).emitWithAck('status:get', {});
  expect(reply).toEqual({ ok: false, error: 'The server failed while handling status:get; its log has the details.' });
  expect(log).toHaveBeenCalledOnce(); // the detail goes to the server log instead
  log.mockRestore();

  behaviour = () => {
    throw new UserFacingError('The model is still loading; try again in a few seconds.');
  };
  expect(await client.timeout(2000).emitWithAck('status:get', {})).toEqual({
    ok: false,
    error: 'The model is still loading; try again in a few seconds.',
  });

  const status: Status = {
    backend: { name: 'cpu', tried: [] },
    model: { loaded: false, path: null, params: null },
    database: { ok: true, kind: 'pglite' },
    uptimeSeconds: 1,
    serverTime: new Date(0).toISOString(),
  };
  behaviour = () => status;
  expect(await client.timeout(2000).emitWithAck('status:get', {})).toEqual({ ok: true, data: status });
});
