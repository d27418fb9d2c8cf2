/**
 * Guest identity on Socket.IO: the handshake's Cookie header is checked once per connection. A
 * connection without a valid cookie still connects (anyone may watch and browse), but every write
 * action asks `requireGuest`, which refuses it with the reason (missing, forged or unknown).
 * After picking a nickname over HTTP the page reconnects, so the new cookie reaches the handshake.
 */
import { UserFacingError } from '../errors';
import type { PlaygroundServer, PlaygroundSocket } from '../sockets';
import { IDENTITY_PROBLEMS, type GuestIdentity, type Guests, type Identified } from './guests';

const identities = new WeakMap<object, Identified>();

/** Registers the handshake check; returns a function that removes it. */
export function authenticateSockets(io: PlaygroundServer, guests: Guests): () => void {
  let active = true;
  io.use((socket, next) => {
    if (!active) return next();
    guests.identify(socket.request.headers.cookie).then(
      (identified) => {
        identities.set(socket, identified);
        next();
      },
      (err: unknown) => {
        // The database may be down: the connection still serves reads; writes are refused.
        console.error('[identity] handshake check failed:', err);
        identities.set(socket, { guest: null, problem: 'unknown' });
        next();
      },
    );
  });
  return () => {
    active = false;
  };
}

/** The guest behind a connection, or null. */
export function guestOf(socket: PlaygroundSocket): GuestIdentity | null {
  return identities.get(socket)?.guest ?? null;
}

/** The guest behind a connection; a connection without one is refused with the reason. */
export function requireGuest(socket: PlaygroundSocket): GuestIdentity {
  const identified = identities.get(socket) ?? { guest: null, problem: 'missing' as const };
  if (identified.guest) return identified.guest;
  throw new UserFacingError(IDENTITY_PROBLEMS[identified.problem]);
}
