/**
 * The typed Socket.IO server and socket of the playground (events from lib/protocol), for every
 * server part that attaches to them: realtime features, identity, status.
 */
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../lib/protocol';

export type PlaygroundServer = Server<ClientToServerEvents, ServerToClientEvents>;
export type PlaygroundSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
