/**
 * Who acts through a connection, for limits: its guest (server/identity), the connection itself
 * and the client's network address, worked out once at the handshake (behind TRUST_PROXY proxies,
 * from X-Forwarded-For).
 */
import { clientAddress, type ClientNetwork } from '../http/client';
import { guestOf } from '../identity';
import type { Actor } from '../limits';
import type { PlaygroundServer, PlaygroundSocket } from '../sockets';

const addresses = new WeakMap<object, string>();

/** Registers the handshake step that records each connection's client address. */
export function recordAddresses(io: PlaygroundServer, network: ClientNetwork): void {
  io.use((socket, next) => {
    addresses.set(
      socket,
      clientAddress(socket.request.headers, socket.request.socket.remoteAddress ?? socket.handshake.address, network),
    );
    next();
  });
}

export function addressOf(socket: PlaygroundSocket): string {
  return addresses.get(socket) ?? clientAddress({}, socket.handshake.address, { trustProxy: 0 });
}

export function actorOf(socket: PlaygroundSocket): Actor {
  return { guest: guestOf(socket)?.id ?? null, connection: socket.id, address: addressOf(socket) };
}
