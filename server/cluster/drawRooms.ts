/**
 * The drawing rooms of several machines, put together for a web node: which node holds each room
 * (`<prefix>draw:owner:<room>`, renewed while anyone is in it) and the requests sent to that node
 * through the Socket.IO adapter. server/playground.ts passes this to the drawing rooms
 * (server/realtime/draw/forwarding.ts).
 */
import type { ClusterRooms } from '../realtime/draw/forwarding';
import { NodeRequests } from './nodeRequests';
import type { Redis } from './redis';
import { RoundOwners } from './roundOwners';

export function clusterDrawRooms(redis: Redis, prefix: string): ClusterRooms {
  const owners = new RoundOwners(redis, `${prefix}draw:owner:`, 'draw');
  return {
    owners,
    forwarding: (io, serve) => new NodeRequests(io, 'draw:forward', owners.node, serve),
  };
}
