/**
 * Several machines: a drawing room lives in the memory of the node where it opened (players,
 * round, secret garment, drawing, guesses), which owns it in Redis (`<prefix>draw:owner:<room>`,
 * cluster/roundOwners.ts) while anyone is in it. Every room:* request names its room; one arriving
 * at another node is sent to the owner (cluster/nodeRequests.ts) with who sent it, and the owner
 * runs the same handler as for its own sockets: one place for the rules, and the limits are
 * counted in Redis for the caller wherever they run. The owner's broadcasts go to the room's
 * channel through the adapter, so they reach every node; each socket joins and leaves the channel
 * on its own node (roomHandlers.ts). Without Redis nothing is forwarded. The playground gives this
 * module what it needs of Redis (server/cluster/drawRooms.ts), so it does not reach into the cluster.
 */
import { z } from 'zod';
import { clientRequests, type Reply, type RequestData } from '../../../lib/protocol';
import { UserFacingError } from '../../errors';
import { guestOf } from '../../identity';
import type { Actor } from '../../limits';
import { actorOf } from '../actor';
import { replyOf, type ParsedPayload, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import type { DrawingRooms } from './rooms';

export const ROOM_REQUESTS = ['room:join', 'room:leave', 'room:start', 'room:draw', 'room:guess'] as const;
export type RoomRequest = (typeof ROOM_REQUESTS)[number];

/** Who sent a room request, as much as its handler needs wherever it runs. */
export interface RoomCaller {
  /** The connection: a player is one connection (socket ids are unique across nodes). */
  socketId: string;
  /** The guest cookie's nickname, when the connection has a guest (it wins over a typed one). */
  guestNickname: string | null;
  actor: Actor;
}

export type RoomHandlers = {
  [N in RoomRequest]: (payload: ParsedPayload<N>, caller: RoomCaller) => Promise<RequestData<N>>;
};

export const roomOwnerGone = (roomId: string): string =>
  `The node holding drawing room ${roomId} is gone; join the room again to open it anew.`;

/** Which node holds which room, in Redis (cluster/roundOwners.ts). */
export interface RoomOwners {
  /** This node, as the owner keys name it. */
  readonly node: string;
  /** Takes the room for this node; false when another node holds it. */
  claim(roomId: string): Promise<boolean>;
  ownerOf(roomId: string): Promise<string | null>;
  /** Frees a room of this node. */
  release(roomId: string): Promise<void>;
  /** Clears the key of a node that no longer answers (unless another has taken the room since). */
  forget(roomId: string, node: string): Promise<void>;
  /** Frees every room of this node and stops renewing them. */
  dispose(): Promise<void>;
}

/** A room request on its way to the node that holds the room, as JSON. */
export interface ForwardedRoomRequest {
  name: string;
  payload: unknown;
  caller: unknown;
}

/** Requests to one named node and back (cluster/nodeRequests.ts). */
export interface RoomForwarding {
  /** The node's Reply, or null when it did not answer in time. */
  send(node: string, request: ForwardedRoomRequest): Promise<Reply<unknown> | null>;
  detach(): void;
}

/** What several machines give the drawing rooms; made by server/cluster/drawRooms.ts. */
export interface ClusterRooms {
  owners: RoomOwners;
  /** Serves the requests other nodes send this one, and sends this node's to them. */
  forwarding(io: PlaygroundServer, serve: (request: ForwardedRoomRequest) => Promise<Reply<unknown>>): RoomForwarding;
}

const RoomCallerSchema = z.object({
  socketId: z.string(),
  guestNickname: z.string().nullable(),
  actor: z.object({ guest: z.string().nullable(), connection: z.string().optional(), address: z.string() }),
});

export function callerOf(socket: PlaygroundSocket): RoomCaller {
  return { socketId: socket.id, guestNickname: guestOf(socket)?.nickname ?? null, actor: actorOf(socket) };
}

// Redis down: the owner key expires by itself (OWNER_TTL_MS).
const logLostRelease = (err: unknown) =>
  console.error(`[draw] freeing a drawing room in Redis failed: ${(err as Error).message}`);

export class RoomRouter {
  /** Several machines: who owns which room; null in one process (every room is this one's). */
  readonly owners: RoomOwners | null;
  private readonly requests: RoomForwarding | null;
  /** Joins opening a room here that have not finished yet, per room (its key stays ours meanwhile). */
  private readonly opening = new Map<string, number>();
  private detached = false;

  constructor(
    io: PlaygroundServer,
    private readonly rooms: DrawingRooms,
    private readonly handlers: RoomHandlers,
    cluster: ClusterRooms | null,
  ) {
    this.owners = cluster?.owners ?? null;
    this.requests = cluster?.forwarding(io, (r) => this.received(r)) ?? null;
  }

  /** Serves a room's request here when the room is here (or nowhere: a join opens it here), else on its node. */
  async serve<N extends RoomRequest>(name: N, payload: ParsedPayload<N>, caller: RoomCaller): Promise<RequestData<N>> {
    const owners = this.owners;
    if (!owners || this.rooms.holds(payload.roomId)) return this.local(name, payload, caller);
    const owner = await owners.ownerOf(payload.roomId);
    if (owner && owner !== owners.node) return this.forward(owner, name, payload, caller);
    return this.here(name, payload, caller, true);
  }

  /** The last player left a room held here: other nodes may open a room of that name again. */
  async emptied(roomId: string): Promise<void> {
    if (this.owners && !this.detached && !this.rooms.holds(roomId) && !this.opening.has(roomId))
      await this.owners.release(roomId).catch(logLostRelease);
  }

  /** Stops serving other nodes and frees this node's rooms in Redis. */
  async detach(): Promise<void> {
    this.detached = true;
    this.requests?.detach();
    await this.owners?.dispose();
  }

  /** Runs the request on this node; a join of a room no node holds claims it first. */
  private async here<N extends RoomRequest>(
    name: N,
    payload: ParsedPayload<N>,
    caller: RoomCaller,
    mayForward: boolean,
  ): Promise<RequestData<N>> {
    const owners = this.owners;
    const { roomId } = payload;
    // Other requests on a room held nowhere get the local answer ("join it first"; leaving is a no-op).
    if (!owners || name !== 'room:join' || this.rooms.holds(roomId)) return this.local(name, payload, caller);
    if (!(await owners.claim(roomId))) {
      // Another node opened it in between: join it there (once, so that two nodes cannot bounce it).
      const owner = await owners.ownerOf(roomId);
      if (mayForward && owner && owner !== owners.node) return this.forward(owner, name, payload, caller);
      throw new UserFacingError(`Room ${roomId} is opening on another node right now; join it again.`);
    }
    this.opening.set(roomId, (this.opening.get(roomId) ?? 0) + 1);
    try {
      return await this.local(name, payload, caller);
    } finally {
      const left = this.opening.get(roomId)! - 1;
      if (left > 0) this.opening.set(roomId, left);
      else this.opening.delete(roomId);
      await this.emptied(roomId);
    }
  }

  private async forward<N extends RoomRequest>(
    owner: string,
    name: N,
    payload: ParsedPayload<N>,
    caller: RoomCaller,
  ): Promise<RequestData<N>> {
    const reply = await this.requests!.send(owner, { name, payload, caller });
    if (reply) {
      if (!reply.ok) throw new UserFacingError(reply.error);
      return reply.data as RequestData<N>;
    }
    // Leaving a room whose node is gone is done (and a node shutting down must not clear a live owner's key).
    if (name === 'room:leave') return {} as RequestData<N>;
    await this.owners!.forget(payload.roomId, owner);
    // The room went with its node: a join opens it anew here.
    if (name === 'room:join') return this.here(name, payload, caller, false);
    throw new UserFacingError(roomOwnerGone(payload.roomId));
  }

  /** A request another node sent here: it runs as if its socket were here. */
  private received({ name, payload, caller }: ForwardedRoomRequest): Promise<Reply<unknown>> {
    return replyOf(name, () => {
      const request = z.enum(ROOM_REQUESTS).parse(name);
      const parsed = clientRequests[request].payload.parse(payload) as ParsedPayload<RoomRequest>;
      return this.here(request, parsed, RoomCallerSchema.parse(caller), false);
    });
  }

  private local<N extends RoomRequest>(
    name: N,
    payload: ParsedPayload<N>,
    caller: RoomCaller,
  ): Promise<RequestData<N>> {
    return (this.handlers[name] as (p: ParsedPayload<N>, c: RoomCaller) => Promise<RequestData<N>>)(payload, caller);
  }
}
