/**
 * Guest identity (issue 6): no accounts or passwords, a nickname and a signed httpOnly cookie.
 * `attachIdentity` loads the signing secret, authenticates every Socket.IO handshake and returns
 * the HTTP routes (nickname) plus the `Guests` service other parts use to identify requests.
 *
 *   const identity = await attachIdentity(io);
 *   requireGuest(socket)  // in a write handler: the guest, or refused with the reason
 */
import { getDbLazily } from '../db/lazy';
import type { Db } from '../db';
import type { Limits } from '../limits';
import type { Moderation } from '../moderation';
import type { PlaygroundServer } from '../sockets';
import type { ApiRoute } from '../http/api';
import { loadCookieSecret } from './cookie';
import { Guests } from './guests';
import { identityRoutes } from './routes';
import { authenticateSockets } from './socket';

export { createHttpApi, ApiError, type ApiRoute, type HttpApi } from '../http/api';
export { Guests, IDENTITY_PROBLEMS, type GuestIdentity } from './guests';
export { guestOf, requireGuest } from './socket';
export { GUEST_COOKIE, signGuestId } from './cookie';

export interface IdentityOptions {
  /** Default: COOKIE_SECRET, else the secret kept in the data folder. */
  secret?: string;
  getDb?: () => Promise<Db>;
  /** The playground's limits (identityCreate, identityRename); default the defaults. */
  limits?: Limits;
  /** Hidden nicknames cannot be chosen again (server/moderation.ts). */
  moderation?: Moderation;
}

export interface AttachedIdentity {
  guests: Guests;
  routes: ApiRoute[];
  detach(): void;
}

export async function attachIdentity(io: PlaygroundServer, options: IdentityOptions = {}): Promise<AttachedIdentity> {
  const { env, dataDir } = await import('../env');
  const secret = options.secret ?? (await loadCookieSecret(env.COOKIE_SECRET, dataDir()));
  const getDb = options.getDb ?? getDbLazily;
  const guests = new Guests(getDb, secret, options.limits, options.moderation);
  const detach = authenticateSockets(io, guests);
  return { guests, routes: identityRoutes(guests), detach };
}
