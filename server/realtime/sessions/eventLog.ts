/**
 * A session's event history: numbers every event (one increasing sequence per session), keeps
 * every event that must arrive (states, epochs, lr changes, the saved model) and a downsampled
 * trail of the per-batch metrics, and answers "everything after seq N" for late joiners and
 * reconnecting clients. The same list, stored in the database, replays a finished session.
 */
import type { SessionBatchEvent, SessionEvent } from '../../../lib/protocol';

/** Batch metrics kept for the snapshot; beyond this the trail is thinned to every other point. */
export const MAX_KEPT_BATCHES = 600;

/** An event as a session produces it, before the log numbers and timestamps it. */
export type UnnumberedEvent = SessionEvent extends infer E
  ? E extends SessionEvent
    ? Omit<E, 'seq' | 'at'>
    : never
  : never;

export class SessionEventLog {
  private seq = 0;
  private readonly reliable: SessionEvent[] = [];
  private batches: SessionBatchEvent[] = [];
  /** Keep one batch event in `stride` (doubles each time the trail is thinned). */
  private stride = 1;
  private batchCounter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A log holding a stored history (a finished session after a restart); numbering continues after it. */
  static fromHistory(events: readonly SessionEvent[]): SessionEventLog {
    const log = new SessionEventLog();
    for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
      if (e.type === 'batch') log.batches.push(e);
      else log.reliable.push(e);
      log.seq = Math.max(log.seq, e.seq);
    }
    while (log.batches.length > MAX_KEPT_BATCHES) log.thin();
    return log;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Numbers and keeps an event; returns it as it goes on the wire. */
  append(event: UnnumberedEvent): SessionEvent {
    const numbered = this.number(event);
    this.accept(numbered);
    return numbered;
  }

  /** The event with the next number and a timestamp, not kept (accept() keeps it). */
  number(event: UnnumberedEvent): SessionEvent {
    return { ...event, seq: this.seq + 1, at: this.now() } as SessionEvent;
  }

  /**
   * Keeps an event numbered elsewhere (the shared log of several machines, or number()); false when
   * it is not the next one: an older seq is a repeat, a newer one means events are missing.
   */
  accept(numbered: SessionEvent): boolean {
    if (numbered.seq !== this.seq + 1) return false;
    this.seq = numbered.seq;
    if (numbered.type === 'batch') {
      if (this.batchCounter++ % this.stride === 0) {
        this.batches.push(numbered);
        if (this.batches.length > MAX_KEPT_BATCHES) this.thin();
      }
    } else {
      this.reliable.push(numbered);
    }
    return true;
  }

  /** Every kept event with seq > `since` (all of them for null), in order. */
  since(since: number | null): SessionEvent[] {
    const after = since ?? 0;
    const out: SessionEvent[] = [];
    // Both lists are in seq order: a merge, starting at the first newer entry of each.
    let i = firstAfter(this.reliable, after);
    let j = firstAfter(this.batches, after);
    while (i < this.reliable.length || j < this.batches.length) {
      const a = this.reliable[i];
      const b = this.batches[j];
      if (b === undefined || (a !== undefined && a.seq < b.seq)) {
        out.push(a!);
        i++;
      } else {
        out.push(b);
        j++;
      }
    }
    return out;
  }

  /** The events that must arrive, in order. */
  reliableEvents(): readonly SessionEvent[] {
    return this.reliable;
  }

  private thin(): void {
    this.batches = this.batches.filter((_, k) => k % 2 === 0);
    this.stride *= 2;
  }
}

function firstAfter(events: readonly { seq: number }[], seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
