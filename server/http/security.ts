/**
 * What every response and every Socket.IO handshake gets for being on the public internet:
 * security headers (a Content-Security-Policy that allows what the Next.js pages need and nothing
 * from elsewhere, no framing, no MIME sniffing, a short referrer) and the Origin check that keeps
 * other sites' pages from opening a Socket.IO connection with a visitor's cookie.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSecureRequest, ownOrigin, type ClientNetwork } from './client';

export interface SecurityOptions extends ClientNetwork {
  /** Next.js development mode: its hot reload evaluates code (`'unsafe-eval'`). */
  dev: boolean;
}

/**
 * The Content-Security-Policy. Next.js's App Router writes its page data as inline scripts
 * (self.__next_f.push), so scripts are 'self' plus inline (a nonce would need every page rendered
 * per request); everything else is same-origin, pictures also data: URLs (the PNG data URLs the
 * server sends) and blob: (canvas exports).
 */
export function contentSecurityPolicy(dev: boolean, secure: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // Socket.IO connects to this origin (ws/wss of 'self'); dev hot reload too.
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(secure ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export function securityHeaders(req: IncomingMessage, options: SecurityOptions): Record<string, string> {
  const secure = isSecureRequest(req, options);
  return {
    'content-security-policy': contentSecurityPolicy(options.dev, secure),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
    ...(secure ? { 'strict-transport-security': 'max-age=15552000' } : {}),
  };
}

export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, options: SecurityOptions): void {
  for (const [name, value] of Object.entries(securityHeaders(req, options))) res.setHeader(name, value);
}

export const FOREIGN_ORIGIN = 'This page comes from another site; open the playground at its own address to connect.';

/**
 * Whether a handshake may connect: no Origin (not a browser page: curl, tests, bots, which could
 * send any Origin anyway) or the server's own origin (PUBLIC_URL's, else the Host's) or one of
 * `allowed` (ALLOWED_ORIGINS).
 */
export function originAllowed(req: IncomingMessage, network: ClientNetwork, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let given: string;
  try {
    given = new URL(origin).origin;
  } catch {
    return false;
  }
  return given === ownOrigin(req, network) || allowed.includes(given);
}
