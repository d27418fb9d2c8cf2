/**
 * Who a connection is, as far as sessions care: the one place that decides identity and the host
 * check. A person with a guest cookie (a nickname picked on the site, server/identity) is that
 * guest, in every tab and after any reconnect; without one, the random id their browser keeps in
 * localStorage (sent with create and join). The id is never shown to others (publicViewerId).
 */
import { createHash } from 'node:crypto';
import { UserFacingError } from '../../errors';
import { guestOf } from '../../identity';
import type { PlaygroundSocket } from '../requests';

/** The identity behind a request: the signed guest cookie if the connection has one, else the client's own id. */
export function identityOf(socket: PlaygroundSocket, claimedClientId: string): string {
  const guest = guestOf(socket);
  return guest ? `guest:${guest.id}` : `client:${claimedClientId}`;
}

export function isHost(session: { hostIdentity: string }, identity: string): boolean {
  return session.hostIdentity === identity;
}

/** Refuses a host-only action of anyone else, naming the host. */
export function assertHost(session: { hostIdentity: string; hostNickname: string }, identity: string, what: string): void {
  if (!isHost(session, identity)) {
    throw new UserFacingError(`Only the host (${session.hostNickname}) can ${what} this session.`);
  }
}

/**
 * The id other viewers see for a person in one session: stable for that person and session, but
 * not their identity, which would let anyone act as them (the host's id is what controls a session).
 */
export function publicViewerId(sessionId: string, identity: string): string {
  return createHash('sha256').update(`${sessionId}\0${identity}`).digest('base64url').slice(0, 12);
}
