/**
 * The playground's small JSON-over-HTTP API, served by our own process in front of Next.js (so it
 * shares the server's database client and needs no page build): a router from method and path to a
 * handler, body size limit, JSON in and out, and errors as one sentence. State-changing requests
 * must be `application/json`, which a cross-site form cannot send without a CORS preflight.
 */
import type http from 'node:http';
import { DatabaseUnavailableError, UserFacingError } from '../errors';
import { RateLimitError } from '../limits';
import { clientAddress, isSecureRequest, type ClientNetwork } from './client';

export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiRequest {
  method: string;
  /** Path segments after /api, e.g. ['collections', 'abc', 'items']. */
  segments: string[];
  query: URLSearchParams;
  cookie: string | undefined;
  body: unknown;
  /** The client's network address (server/http/client.ts), for limits. */
  address: string;
  /** Whether the client came over HTTPS (the cookie's Secure flag). */
  secure: boolean;
}

export interface ApiResponse {
  status?: number;
  /** JSON, or a Buffer sent as is (set its content-type in `headers`). */
  body: unknown;
  headers?: Record<string, string>;
}

export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

/** A route: method and a path pattern with `:name` segments (e.g. `collections/:id/items`). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  pattern: string;
  handler: (req: ApiRequest, params: Record<string, string>) => Promise<ApiResponse>;
}

/** An error with an HTTP status; its message is shown to the caller. */
export class ApiError extends UserFacingError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpApi {
  /** Whether this API serves the URL (everything under /api/ that a route matches by path). */
  handles(url: string | undefined): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

export function createHttpApi(routes: ApiRoute[], network: ClientNetwork = { trustProxy: 0 }): HttpApi {
  const compiled = routes.map((r) => ({ ...r, parts: r.pattern.split('/') }));
  const match = (segments: string[]) =>
    compiled
      .map((r) => {
        if (r.parts.length !== segments.length) return null;
        const params: Record<string, string> = {};
        for (let i = 0; i < segments.length; i++) {
          const p = r.parts[i]!;
          if (p.startsWith(':')) params[p.slice(1)] = segments[i]!;
          else if (p !== segments[i]) return null;
        }
        return { route: r, params };
      })
      .filter((m) => m !== null);
  const segmentsOf = (url: string): string[] | null => {
    const { pathname } = new URL(url, 'http://x');
    if (!pathname.startsWith('/api/')) return null;
    try {
      return pathname.slice(5).split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return null;
    }
  };

  return {
    handles(url) {
      const segments = url ? segmentsOf(url) : null;
      return segments !== null && match(segments).length > 0;
    },
    async handle(req, res) {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        if (Buffer.isBuffer(body)) {
          // A file (an archive, a picture): the route sets its content-type.
          res.writeHead(status, {
            'content-type': 'application/octet-stream',
            'cache-control': 'no-store',
            'content-length': String(body.length),
            ...headers,
          });
          res.end(body);
          return;
        }
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          ...headers,
        });
        res.end(JSON.stringify(body));
      };
      try {
        const segments = segmentsOf(req.url ?? '/') ?? [];
        const method = req.method ?? 'GET';
        const matches = match(segments);
        const found = matches.find((m) => m.route.method === method);
        if (!found)
          throw new ApiError(
            405,
            `${method} is not allowed here; use ${matches.map((m) => m.route.method).join(' or ')}.`,
          );
        const body = method === 'GET' || method === 'DELETE' ? undefined : await readJsonBody(req);
        const out = await found.route.handler(
          {
            method,
            segments,
            query: new URL(req.url ?? '/', 'http://x').searchParams,
            cookie: req.headers.cookie,
            body,
            address: clientAddress(req.headers, req.socket.remoteAddress, network),
            secure: isSecureRequest(req, network),
          },
          found.params,
        );
        send(out.status ?? 200, out.body, out.headers);
      } catch (err) {
        // The client went away (or the request timed out, already answered 408): nobody to answer.
        if (res.writableEnded || res.destroyed || !req.socket || req.socket.destroyed) return;
        if (err instanceof ApiError)
          send(err.status, { error: err.message }, err.status === 413 ? { connection: 'close' } : {});
        else if (err instanceof RateLimitError)
          send(429, { error: err.message }, { 'retry-after': String(err.retryAfterSeconds) });
        else if (err instanceof DatabaseUnavailableError) {
          console.error(`[api] ${req.method} ${req.url}: ${err.message}`);
          send(503, { error: err.publicMessage }, { 'retry-after': '5' });
        } else if (err instanceof UserFacingError) send(400, { error: err.message });
        else {
          console.error('[api] request failed:', err);
          send(500, { error: 'The server failed while handling this request; its log has the details.' });
        }
      }
    },
  };
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ApiError(415, 'Send the request body as JSON (Content-Type: application/json).');
  }
  // Read by events, not `for await` (which destroys the request, and with it the connection, as
  // soon as reading stops): an oversized body is refused with 413 and the connection then closed.
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        reject(new ApiError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes; send less.`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject); // aborted, or timed out (Node answered 408)
  });
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON.');
  }
}
