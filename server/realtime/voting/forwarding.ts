/**
 * Several machines: a voting room's requests (join, start, cast, close) are served by the node
 * whose memory holds the room's open round, the room's owner in Redis (cluster/roundOwners.ts).
 * A request arriving at another node goes to the owner (cluster/nodeRequests.ts) with who sent it, and
 * the owner runs the same handler as for its own sockets: the same checks and limits, one place
 * for the voting rules. Its reply is the client's. The owner's broadcasts (tallies, round states)
 * go to the room through the adapter, so they reach every node. Without Redis nothing is forwarded.
 * A room whose owner is gone (its key expired, or cleared when it did not answer) while its round
 * is open in the database is taken over by the node the next request arrives at (rooms.adopt).
 */
import { z } from 'zod';
import { clientRequests, type Reply, type RequestData } from '../../../lib/protocol';
import type { NodeRequest, NodeRequests } from '../../cluster/nodeRequests';
import type { Db } from '../../db';
import { UserFacingError } from '../../errors';
import { IDENTITY_PROBLEMS, requireGuest, type GuestIdentity } from '../../identity';
import type { Actor } from '../../limits';
import { actorOf } from '../actor';
import { replyOf, type ParsedPayload, type PlaygroundSocket } from '../requests';
import type { VotingRooms } from './rooms';

export const ROUND_REQUESTS = ['vote:join', 'vote:start', 'vote:cast', 'vote:close'] as const;
export type RoundRequest = (typeof ROUND_REQUESTS)[number];

/** Who sent a request, as much as its handler needs wherever it runs. */
export interface Caller {
  guest: GuestIdentity | null;
  /** Why there is no guest (requireGuest's sentence), when there is none. */
  refusal: string | null;
  actor: Actor;
}

export type RoundHandlers = {
  [N in RoundRequest]: (payload: ParsedPayload<N>, caller: Caller) => Promise<RequestData<N>>;
};

export const OWNER_GONE = 'The node running this round is gone; try again, and another node takes the round over.';

/** A caller as it arrives from another node (guest.createdAt as an ISO string). */
const CallerSchema = z.object({
  guest: z
    .object({ id: z.string(), nickname: z.string(), createdAt: z.iso.datetime().transform((s) => new Date(s)) })
    .nullable(),
  refusal: z.string().nullable(),
  actor: z.object({ guest: z.string().nullable(), connection: z.string().optional(), address: z.string() }),
});

/** Requests to one named node and back (cluster/nodeRequests.ts). */
export type RoundForwarding = Pick<NodeRequests, 'send' | 'detach'>;

export function callerOf(socket: PlaygroundSocket): Caller {
  try {
    return { guest: requireGuest(socket), refusal: null, actor: actorOf(socket) };
  } catch (err) {
    if (!(err instanceof UserFacingError)) throw err;
    return { guest: null, refusal: err.message, actor: actorOf(socket) };
  }
}

/** The caller's guest; without one, refused as requireGuest refuses a socket. */
export function requireCaller(caller: Caller): GuestIdentity {
  if (caller.guest) return caller.guest;
  throw new UserFacingError(caller.refusal ?? IDENTITY_PROBLEMS.missing);
}

/** Rounds held elsewhere keep their room; a few thousand ids cost little. */
const ROOMS_REMEMBERED = 2000;

export class RoundRouter {
  private readonly roomOfRound = new Map<number, string>();
  private readonly requests: RoundForwarding | null;

  constructor(
    private readonly rooms: VotingRooms,
    private readonly handlers: RoundHandlers,
    private readonly getDb: () => Promise<Db>,
    /** Several machines: serves the requests other nodes send this one, and sends this node's. */
    forwarding: ((serve: (request: NodeRequest) => Promise<Reply<unknown>>) => RoundForwarding) | null,
  ) {
    this.requests = rooms.owners && forwarding ? forwarding((r) => this.received(r)) : null;
  }

  /** Serves a room's request here when its round is here (or nowhere), else on the node that holds it. */
  async serve<N extends RoundRequest>(name: N, payload: ParsedPayload<N>, caller: Caller): Promise<RequestData<N>> {
    const owners = this.rooms.owners;
    const room = owners && this.requests ? await this.roomOf(payload) : null;
    if (!owners || !this.requests || room === null || this.rooms.openRound(room))
      return this.local(name, payload, caller);
    let owner = await owners.ownerOf(room);
    // No node owns the room: an open round in it lost its node (the key expired), and is taken over here.
    if (!owner && (await this.rooms.adopt(room))) return this.local(name, payload, caller);
    // Another node may have taken it over first.
    owner ??= await owners.ownerOf(room);
    if (!owner || owner === owners.node) return this.local(name, payload, caller);

    const sent: z.input<typeof CallerSchema> = {
      ...caller,
      guest: caller.guest && { ...caller.guest, createdAt: caller.guest.createdAt.toISOString() },
    };
    const reply = await this.requests.send(owner, { name, payload, caller: sent });
    if (!reply) {
      await owners.forget(room, owner);
      throw new UserFacingError(OWNER_GONE);
    }
    if (!reply.ok) throw new UserFacingError(reply.error);
    return reply.data as RequestData<N>;
  }

  detach(): void {
    this.requests?.detach();
  }

  /** A request another node sent here: it runs as if its socket were here. */
  private received({ name, payload, caller }: NodeRequest): Promise<Reply<unknown>> {
    return replyOf(name, () => {
      const request = z.enum(ROUND_REQUESTS).parse(name);
      const parsed = clientRequests[request].payload.parse(payload) as ParsedPayload<RoundRequest>;
      return this.local(request, parsed, CallerSchema.parse(caller));
    });
  }

  private local<N extends RoundRequest>(name: N, payload: ParsedPayload<N>, caller: Caller): Promise<RequestData<N>> {
    return (this.handlers[name] as (p: ParsedPayload<N>, c: Caller) => Promise<RequestData<N>>)(payload, caller);
  }

  /** The room a request acts on; null for a round held here or one that does not exist. */
  private async roomOf(payload: ParsedPayload<RoundRequest>): Promise<string | null> {
    if ('room' in payload) return payload.room;
    const { roundId } = payload;
    if (this.rooms.heldRound(roundId)) return null;
    let room = this.roomOfRound.get(roundId);
    if (room === undefined) {
      const row = await (await this.getDb()).voteRound.findUnique({ where: { id: roundId }, select: { room: true } });
      if (!row) return null;
      room = row.room;
      if (this.roomOfRound.size >= ROOMS_REMEMBERED) this.roomOfRound.delete(this.roomOfRound.keys().next().value!);
      this.roomOfRound.set(roundId, room);
    }
    return room;
  }
}
