/**
 * What every response and every Socket.IO handshake gets for being on the public internet:
 * security headers (a Content-Security-Policy that allows what the Next.js pages need and nothing
 * from elsewhere, no framing, no MIME sniffing, a short referrer) and the Origin check that keeps
 * other sites' pages from opening a Socket.IO connection with a visitor's cookie.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSecureRequest, ownOrigin, type ClientNetwork } from './client';

export interface SecurityOptions extends ClientNetwork {
  /** Next.js development mode: its hot reload evaluates code (`'unsafe-eval'`). */
  dev: boolean;
}

/** A fresh nonce for one response (128 random bits, base64). */
export const newNonce = (): string => randomBytes(16).toString('base64');

/**
 * The Content-Security-Policy of one response. Scripts run only with this response's `nonce`:
 * Next.js reads it from the request's own Content-Security-Policy header (set by
 * `applySecurityHeaders`, the way its proxy guide sets it) and puts it on every script it writes,
 * its inline page data (self.__next_f.push) included; 'strict-dynamic' lets those scripts load
 * the page's chunks. So an injected <script> or on* attribute does not run, from any origin.
 * Styles keep 'unsafe-inline': React writes `style` attributes into the HTML (bar widths, colours),
 * which no nonce can cover; CSS cannot run script, and everything else stays same-origin.
 * Pictures also come from data: URLs (the PNG data URLs the server sends) and blob: (canvas exports).
 */
export function contentSecurityPolicy(dev: boolean, secure: boolean, nonce: string): string {
  return [
    "default-src 'self'",
    // 'self' is ignored by browsers that know 'strict-dynamic'; it stays for older ones.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
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

export function securityHeaders(
  req: IncomingMessage,
  options: SecurityOptions,
  nonce: string = newNonce(),
): Record<string, string> {
  const secure = isSecureRequest(req, options);
  return {
    'content-security-policy': contentSecurityPolicy(options.dev, secure, nonce),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
    ...(secure ? { 'strict-transport-security': 'max-age=15552000' } : {}),
  };
}

/**
 * Sets the headers on `res`, and the policy on `req` too: Next.js takes the nonce for the scripts
 * it renders from the request's Content-Security-Policy header (whatever a client sent there is
 * replaced, so nobody picks the nonce).
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, options: SecurityOptions): void {
  const headers = securityHeaders(req, options);
  req.headers['content-security-policy'] = headers['content-security-policy'];
  delete req.headers['content-security-policy-report-only'];
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
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
