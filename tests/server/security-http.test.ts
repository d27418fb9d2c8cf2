/**
 * Issue 21 findings 5 and 6 against the real server (no pages; tests/browser/security-headers.test.ts
 * checks every page in Chromium):
 *  5. security headers on every response; the guest cookie is Secure behind an HTTPS proxy;
 *     Socket.IO refuses a handshake from another site's page;
 *  6. a client that stops reading is disconnected once its unsent data passes MAX_SEND_BUFFER_BYTES;
 *     an HTTP request whose body never finishes gets 408 within HTTP_REQUEST_TIMEOUT_MS.
 */
import net from 'node:net';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, type TestClient } from '../helpers/server';
import { startTestServer, type TestServer } from '../helpers/server';

process.env.TRUST_PROXY = '1';
process.env.MAX_SEND_BUFFER_BYTES = String(64 * 1024);
process.env.SEND_STALL_MS = '0'; // no grace: a test must not wait on a clock
process.env.HTTP_REQUEST_TIMEOUT_MS = '1000';
process.env.ALLOWED_ORIGINS = 'https://friend.example';

let server: TestServer;
const clients: TestClient[] = [];
const warnings = vi.spyOn(console, 'warn');
const errors = vi.spyOn(console, 'error');

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
});

describe('finding 5: headers, cookie, origin', () => {
  it('sends the security headers on API responses, errors and unknown paths', async () => {
    for (const path of ['/api/identity', '/api/collections/nope!', '/no-such-page']) {
      const res = await fetch(server.url + path);
      const csp = res.headers.get('content-security-policy');
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP here
    }
  });

  it('makes the guest cookie Secure when the trusted proxy says the page came over HTTPS', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/identity`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ nickname: 'cookie' }),
      });
    const plain = await post({ 'x-forwarded-for': '198.51.100.1' });
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    const https = await post({ 'x-forwarded-for': '198.51.100.2', 'x-forwarded-proto': 'https' });
    expect(https.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    expect(https.headers.get('strict-transport-security')).toMatch(/max-age=/);
  });

  it('refuses a Socket.IO handshake from another site with a sentence; its own and listed origins connect', async () => {
    const attempt = (origin: string) =>
      new Promise<string>((resolve) => {
        const c: TestClient = connect(server.url, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { origin },
        });
        clients.push(c);
        c.once('connect', () => resolve('connected'));
        c.once('connect_error', (err) => resolve(err.message));
      });
    expect(await attempt('https://evil.example')).toBe(
      'This page comes from another site; open the playground at its own address to connect.',
    );
    expect(await attempt('null')).toMatch(/another site/);
    expect(await attempt(server.url)).toBe('connected');
    expect(await attempt('https://friend.example')).toBe('connected');
  });
});

describe('finding 6: back-pressure and slow bodies', () => {
  it('disconnects a client that stops reading once its unsent data passes the bound, with the reason logged', async () => {
    const reader = await connectClient(server.url);
    const stalled = await connectClient(server.url);
    clients.push(reader, stalled);
    const id = stalled.id!;
    // Stop reading: the TCP socket under the client's WebSocket is paused; it still sends.
    (stalled.io.engine.transport as unknown as { ws: { _socket: net.Socket } }).ws._socket.pause();
    let sent = 0;
    while (server.io.of('/').sockets.has(id) && sent < 200_000) {
      for (let i = 0; i < 500; i++) stalled.emit('status:get', {}, () => {});
      sent += 500;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(server.io.of('/').sockets.has(id)).toBe(false);
    expect(warnings.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      new RegExp(`disconnected ${id} .*stopped reading, \\d+ bytes were waiting`),
    );
    // A client that reads is still served.
    expect(server.io.of('/').sockets.has(reader.id!)).toBe(true);
    const reply = await new Promise<{ ok: boolean }>((resolve) => reader.emit('status:get', {}, resolve));
    expect(reply.ok).toBe(true);
  }, 60_000);

  it('answers 408 to a request whose body never finishes, instead of holding it', async () => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.write(
      'POST /api/identity HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"nickname"',
    );
    const response = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(response).toMatch(/^HTTP\/1.1 408/);
    expect(errors).not.toHaveBeenCalled(); // an abandoned body is not an internal error
  }, 60_000);
});
