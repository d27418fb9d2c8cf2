/**
 * A budget of Socket.IO messages per connection and per client address (server/limits.ts
 * MessageBudget), checked before any handler runs: a message over budget is refused with a sentence
 * (when it asks for a reply) and goes no further; a connection that keeps sending once refused (as
 * many refused messages as its whole budget within its period) is disconnected, with the reason logged. Token
 * buckets in this process's memory: this guards the process's CPU, which is not shared.
 */
import type { MessageBudget, Rate } from '../limits';
import { addressOf } from './actor';
import type { PlaygroundServer, PlaygroundSocket } from './requests';

export const OVER_BUDGET =
  'Too many messages from this page at once; wait a few seconds (a page that keeps sending is disconnected).';

/** Tokens refill at `points` per `seconds`, up to `points`. */
class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: Rate,
    now: number,
  ) {
    this.tokens = rate.points;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(
      this.rate.points,
      this.tokens + ((now - this.at) / 1000) * (this.rate.points / this.rate.seconds),
    );
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** Whether it has been refilled completely (an idle address can be forgotten). */
  full(now: number): boolean {
    return this.tokens + ((now - this.at) / 1000) * (this.rate.points / this.rate.seconds) >= this.rate.points;
  }
}

const logCut = (socket: PlaygroundSocket, address: string, refused: number) =>
  console.warn(`[realtime] disconnected ${socket.id} (${address}): it kept sending after ${refused} refused messages`);

/** Registers the budget on every connection; returns the function that stops it. */
export function limitMessages(
  io: PlaygroundServer,
  budget: MessageBudget,
  onCut: (socket: PlaygroundSocket, address: string, refused: number) => void = logCut,
  now: () => number = Date.now,
): () => void {
  const addresses = new Map<string, TokenBucket>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [address, bucket] of addresses) if (bucket.full(t)) addresses.delete(address);
  }, 60_000);
  sweep.unref();
  const onConnection = (socket: PlaygroundSocket) => {
    const address = addressOf(socket);
    const own = new TokenBucket(budget.connection, now());
    // Refused messages in the current window of the connection's rate.
    let refused = 0;
    let windowStart = now();
    socket.use((packet, next) => {
      const t = now();
      let shared = addresses.get(address);
      if (!shared) addresses.set(address, (shared = new TokenBucket(budget.address, t)));
      if (own.take(t) && shared.take(t)) return next();
      if (t - windowStart > budget.connection.seconds * 1000) {
        refused = 0;
        windowStart = t;
      }
      refused++;
      if (refused >= budget.connection.points) {
        onCut(socket, address, refused);
        socket.disconnect(true);
        return;
      }
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (reply: unknown) => void)({ ok: false, error: OVER_BUDGET });
    });
  };
  io.on('connection', onConnection);
  return () => {
    clearInterval(sweep);
    io.off('connection', onConnection);
  };
}
