/**
 * The edge between Socket.IO and our handlers: one function registers an `ack` request from the
 * protocol so that its payload is parsed by the protocol's schema, the handler only ever sees
 * typed input, a throwing handler cannot take the process down, and every request gets exactly
 * one `Reply`.
 */
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { DatabaseUnavailableError, UserFacingError } from '../errors';
import { clientRequests, type Reply, type RequestData, type RequestName } from '../../lib/protocol';

import type { PlaygroundServer, PlaygroundSocket } from '../sockets';

export type { PlaygroundServer, PlaygroundSocket };

/** A request's payload after parsing (defaults applied). */
export type ParsedPayload<N extends RequestName> = z.output<(typeof clientRequests)[N]['payload']>;

export type RequestHandler<N extends RequestName> = (
  payload: ParsedPayload<N>,
  socket: PlaygroundSocket,
) => RequestData<N> | Promise<RequestData<N>>;

/** Registers `handler` for the request `name` on one connected socket. */
export function onRequest<N extends RequestName>(socket: PlaygroundSocket, name: N, handler: RequestHandler<N>): void {
  const schema = clientRequests[name].payload;
  // The typed `on` cannot express "any arguments": a client may send no payload, extra arguments
  // or no acknowledgement at all, and all of that must be handled here rather than trusted.
  (socket as unknown as Socket).on(name as string, async (...args: unknown[]) => {
    const last = args.at(-1);
    if (typeof last !== 'function') return; // no acknowledgement: nobody to answer
    const ack = last as (reply: Reply<RequestData<N>>) => void;
    const parsed = schema.safeParse(args.length > 1 ? args[0] : undefined);
    if (!parsed.success) {
      ack({ ok: false, error: `Invalid ${name} payload: ${z.prettifyError(parsed.error)}` });
      return;
    }
    ack(await replyOf(name, () => handler(parsed.data as ParsedPayload<N>, socket)));
  });
}

/** Runs a request's handler and turns its outcome into the one `Reply` (also for requests forwarded between nodes). */
export async function replyOf<T>(name: string, run: () => T | Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, data: await run() };
  } catch (err) {
    return { ok: false, error: publicMessage(name, err) };
  }
}

/** What a client may learn about a failure: a UserFacingError's sentence, otherwise nothing internal. */
function publicMessage(name: string, err: unknown): string {
  if (err instanceof DatabaseUnavailableError) {
    console.error(`[realtime] ${name}: ${err.message}`);
    return err.publicMessage;
  }
  if (err instanceof UserFacingError) return err.message;
  console.error(`[realtime] ${name} handler failed:`, err);
  return `The server failed while handling ${name}; its log has the details.`;
}
