/**
 * Sends a session's events to its room without holding the event loop for long. Writing one
 * message to 500 sockets takes ~20 ms on a busy 2-core machine, which is the whole lag budget; so
 * a big room is split into shard rooms written one per macrotask, and a session's events still go
 * out strictly in order (every shard has an event before any shard gets the next one). A small
 * room is written at once.
 */
import type { PlaygroundServer } from '../requests';

/** Rooms up to this size get each message in one piece. */
export const SLICE_ABOVE = 100;
export const SHARDS = 8;

export class SessionBroadcaster {
  private readonly steps: (() => void)[] = [];
  private draining = false;
  private joins = 0;

  constructor(
    private readonly io: PlaygroundServer,
    /** The Socket.IO room of everyone in the session. */
    private readonly channel: string,
  ) {}

  /** The shard room a newly joining socket goes into (as well as the session's room). */
  nextShard(): string {
    return this.shard(this.joins++ % SHARDS);
  }

  send(write: (room: string) => void): void {
    const size = this.io.sockets.adapter.rooms.get(this.channel)?.size ?? 0;
    if (size <= SLICE_ABOVE) this.steps.push(() => write(this.channel));
    else for (let k = 0; k < SHARDS; k++) this.steps.push(() => write(this.shard(k)));
    if (!this.draining) this.drain();
  }

  private shard(k: number): string {
    return `${this.channel}#${k}`;
  }

  /** One step now, the rest one per macrotask, so sockets and timers get their turn in between. */
  private drain(): void {
    const step = this.steps.shift();
    if (!step) {
      this.draining = false;
      return;
    }
    this.draining = true;
    step();
    if (this.steps.length) setImmediate(() => this.drain());
    else this.draining = false;
  }
}
