/**
 * The guest cookie: `<guest id>.<HMAC-SHA256 of the id>`, so the server can tell an id it issued
 * from one a visitor typed in. No passwords: whoever holds the cookie is the guest. The secret
 * comes from COOKIE_SECRET, else a random one generated once and kept in the data folder, so
 * cookies stay valid across restarts of the embedded default.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const GUEST_COOKIE = 'fmp_guest';
/** A year: a guest is a browser, and losing it means losing one's collections. */
export const GUEST_COOKIE_MAX_AGE_S = 365 * 24 * 3600;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function signGuestId(guestId: string, secret: string): string {
  return `${guestId}.${createHmac('sha256', secret).update(guestId).digest('base64url')}`;
}

/** The guest id in a cookie value, or null when it is malformed or not signed with `secret`. */
export function verifyGuestCookie(value: string | undefined, secret: string): string | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  if (dot < 0) return null;
  const id = value.slice(0, dot);
  if (!UUID.test(id)) return null;
  const expected = Buffer.from(signGuestId(id, secret));
  const given = Buffer.from(value);
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
}

/** Cookies of a Cookie header by name (first occurrence wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A value that is not valid percent-encoding is nobody's cookie of ours.
    }
  }
  return out;
}

/** The Set-Cookie header of a guest; `secure` (the page came over HTTPS) keeps it off plain HTTP. */
export function guestCookieHeader(guestId: string, secret: string, secure = false): string {
  return `${GUEST_COOKIE}=${signGuestId(guestId, secret)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${GUEST_COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}`;
}

/**
 * The signing secret: `configured` when set, else the one in `${dataDir}/cookie-secret`, created
 * on first use. Creation uses the exclusive flag so two processes starting at once agree on one.
 */
export async function loadCookieSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, 'cookie-secret');
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) {
    throw new Error(
      `${file} holds a secret shorter than 32 characters; delete it (guests will have to pick a nickname again) or set COOKIE_SECRET.`,
    );
  }
  return secret;
}
