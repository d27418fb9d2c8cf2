/**
 * Who a connection is, as far as sessions care: the one place that decides identity and the host
 * check. The guest cookie (a nickname picked on any page, server/identity) is the only identity:
 * that guest in every tab, after any reconnect and after changing their nickname. A connection
 * without one watches as an anonymous visitor (itself, for presence) and can host nothing. The
 * identity is never shown to others (publicViewerId).
 */
import { createHash } from 'node:crypto';
import { UserFacingError } from '../../errors';
import { guestOf, requireGuest } from '../../identity';
import type { PlaygroundSocket } from '../requests';

/** What others see of a connection without a nickname. */
export const ANONYMOUS_VIEWER = 'Visitor without a nickname';

/** Who a connection is and the name others see: its guest, or (no cookie) the connection itself. */
export function identityOf(socket: PlaygroundSocket): { identity: string; nickname: string } {
  const guest = guestOf(socket);
  return guest
    ? { identity: guestIdentity(guest.id), nickname: guest.nickname }
    : { identity: `socket:${socket.id}`, nickname: ANONYMOUS_VIEWER };
}

/** The guest behind a connection that is about to host something; refused (pick a nickname) without one. */
export function hostIdentityOf(socket: PlaygroundSocket): { identity: string; nickname: string } {
  const guest = requireGuest(socket);
  return { identity: guestIdentity(guest.id), nickname: guest.nickname };
}

export const guestIdentity = (guestId: string): string => `guest:${guestId}`;

export function isHost(session: { hostIdentity: string }, identity: string): boolean {
  return session.hostIdentity === identity;
}

/**
 * Refuses a host-only action of anyone else, naming the host as others see them (`shown`: a
 * moderator may have hidden the nickname).
 */
export function assertHost(
  session: { hostIdentity: string; hostNickname: string },
  identity: string,
  what: string,
  shown: (nickname: string) => string = (name) => name,
): void {
  if (!isHost(session, identity)) {
    throw new UserFacingError(`Only the host (${shown(session.hostNickname)}) can ${what} this session.`);
  }
}

/**
 * The id other viewers see for a person in one session: stable for that person and session, but
 * not their identity, which would let anyone act as them (the host's id is what controls a session).
 */
export function publicViewerId(sessionId: string, identity: string): string {
  return createHash('sha256').update(`${sessionId}\0${identity}`).digest('base64url').slice(0, 12);
}
