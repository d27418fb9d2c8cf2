/**
 * Who is on the other end of an HTTP request or a Socket.IO handshake, as far as limits and cookies
 * care: the client's network address (behind `TRUST_PROXY` load balancers, taken from
 * X-Forwarded-For, counting hops from our side so a client cannot claim another address) and whether
 * the page was served over HTTPS (the cookie's Secure flag).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { PAGE_ORIGIN_HEADER } from '../../lib/pages';

export interface ClientNetwork {
  /** Proxies in front of the server that append to X-Forwarded-For; 0: none, use the TCP peer. */
  trustProxy: number;
  /** The public address of the site (PUBLIC_URL); an https:// one makes every cookie Secure. */
  publicUrl?: string;
}

/**
 * The client's address: with `trustProxy` = n, the n-th address from the right of
 * [...X-Forwarded-For, peer] (as Express counts), else the TCP peer. Normalized so one client has one
 * key: IPv4-mapped IPv6 becomes IPv4, IPv6 is cut to its /64 (one household or server gets one).
 */
export function clientAddress(headers: IncomingHttpHeaders, peer: string | undefined, network: ClientNetwork): string {
  let address = peer ?? 'unknown';
  if (network.trustProxy > 0) {
    const forwarded = String(headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const chain = [...forwarded, address];
    address = chain[Math.max(0, chain.length - 1 - network.trustProxy)]!;
  }
  return normalizeAddress(address);
}

export function normalizeAddress(raw: string): string {
  let a = raw.trim().toLowerCase();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return a.slice(7);
  if (isIP(a) !== 6) return isIP(a) === 4 ? a : `other:${a.slice(0, 64)}`;
  return `${expandIpv6(a).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(a: string): string[] {
  const [head = '', tail] = a.split('::') as [string, string | undefined];
  const parts = (s: string) => (s ? s.split(':') : []);
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups; only the first four groups matter here.
  const width = (xs: string[]) => xs.reduce((n, x) => n + (x.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0');
  return [...left, ...zeros, ...right].map((g) => (g.includes('.') ? g : g.replace(/^0+(?=.)/, '')));
}

/** Whether the request reached us over HTTPS (directly, through a trusted proxy, or PUBLIC_URL says so). */
export function isSecureRequest(req: IncomingMessage, network: ClientNetwork): boolean {
  if (network.publicUrl?.startsWith('https://')) return true;
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (network.trustProxy > 0) {
    const proto = String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      ?.trim()
      .toLowerCase();
    return proto === 'https';
  }
  return false;
}

/**
 * Tells the pages the origin they are served from (`PAGE_ORIGIN_HEADER` on the request, replacing
 * any a client sent), for absolute addresses such as the social preview's og:image.
 */
export function passOriginToPages(req: IncomingMessage, network: ClientNetwork): void {
  const origin = ownOrigin(req, network);
  if (origin) req.headers[PAGE_ORIGIN_HEADER] = origin;
  else delete req.headers[PAGE_ORIGIN_HEADER];
}

/** The origin a browser shows for this server when it sent `req` (PUBLIC_URL's, else from Host). */
export function ownOrigin(req: IncomingMessage, network: ClientNetwork): string | null {
  if (network.publicUrl) return new URL(network.publicUrl).origin;
  const host = req.headers.host;
  if (!host) return null;
  return `${isSecureRequest(req, network) ? 'https' : 'http'}://${host.toLowerCase()}`;
}
