/**
 * Several machines: requests addressed to one web node, carried by the Socket.IO cluster adapter.
 * A feature whose state lives in one node's memory (which node: cluster/roundOwners.ts) sends a
 * request there with what its handler needs to know of the caller, and gets the handler's Reply
 * back. Every node hears each request (`serverSideEmit` with an acknowledgement); the node it
 * names answers, the others answer null. A node that does not answer in time yields null, for the
 * feature to say so. The feature parses what arrives: this module only carries it.
 */
import { z } from 'zod';
import type { Reply } from '../../lib/protocol';
import type { PlaygroundServer } from '../sockets';

/** What a node is asked: a request's name, its payload and who sent it, as JSON. */
export interface NodeRequest {
  name: string;
  payload: unknown;
  caller: unknown;
}

const AddressedSchema = z.object({ to: z.string(), name: z.string(), payload: z.unknown(), caller: z.unknown() });

// The adapter answers once every node has, or after 5 s with the answers it got; this timer
// covers an adapter that never calls back (e.g. when Redis fails in between).
const ANSWER_TIMEOUT_MS = 6000;

export class NodeRequests {
  private readonly onRequest = (message: unknown, ack: (reply: Reply<unknown> | null) => void): void => {
    const parsed = AddressedSchema.safeParse(message);
    if (!parsed.success || parsed.data.to !== this.node) {
      ack(null);
      return;
    }
    const { name, payload, caller } = parsed.data;
    this.serve({ name, payload, caller }).then(ack, (err: unknown) => {
      console.error(`[cluster] serving ${name} for another node failed:`, err);
      ack(null);
    });
  };

  constructor(
    private readonly io: PlaygroundServer,
    /** The adapter's event for this feature's requests, e.g. `draw:forward`. */
    private readonly event: string,
    /** This node, as the owner keys name it. */
    private readonly node: string,
    /** Runs a request addressed to this node; its Reply goes back to the sender. */
    private readonly serve: (request: NodeRequest) => Promise<Reply<unknown>>,
  ) {
    serverSide(io).on(event, this.onRequest);
  }

  /** Sends `request` to `node`: its Reply, or null when no node answered for it in time. */
  async send(node: string, request: NodeRequest): Promise<Reply<unknown> | null> {
    const replies = await new Promise<unknown[]>((resolve) => {
      const timer = setTimeout(() => resolve([]), ANSWER_TIMEOUT_MS);
      timer.unref();
      serverSide(this.io).serverSideEmit(this.event, { to: node, ...request }, (_err, responses) => {
        clearTimeout(timer);
        resolve(responses ?? []);
      });
    });
    return replies.find((r): r is Reply<unknown> => r !== null && typeof r === 'object' && 'ok' in r) ?? null;
  }

  detach(): void {
    serverSide(this.io).off(this.event, this.onRequest);
  }
}

/** The server-to-server side of Socket.IO, which the playground's typed server does not declare. */
interface ServerSideEvents {
  on(event: string, listener: (message: unknown, ack: (reply: Reply<unknown> | null) => void) => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
  serverSideEmit(event: string, message: unknown, ack: (err: Error | null, responses: unknown[]) => void): void;
}

const serverSide = (io: PlaygroundServer): ServerSideEvents => io as unknown as ServerSideEvents;
