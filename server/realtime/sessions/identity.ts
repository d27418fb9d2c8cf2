/**
 * Who a connection is, as far as sessions care: the one place that decides identity and the host
 * check. Today a person is the id their browser generated and keeps in localStorage (sent with
 * create and join); the guest cookie of issue 6 replaces `identityOf` without touching the rest.
 */
import { createHash } from 'node:crypto';
import { UserFacingError } from '../../errors';
import type { PlaygroundSocket } from '../requests';

/** The identity behind a request: for now the client's own id. */
export function identityOf(_socket: PlaygroundSocket, claimedClientId: string): string {
  return claimedClientId;
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
