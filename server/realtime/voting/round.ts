/**
 * One open voting round in memory: its candidates, every person's vote and the tallies, mirrored
 * from the database. Votes of a round are applied one after another (a promise chain), database
 * first, so the in-memory tallies are always exactly what the database holds, whatever the
 * concurrency; closing takes its place in the same chain, after every vote that came before it.
 */
import type { StoredRound } from '../../db/repositories/votes';
import type { VoteTally } from '../../../lib/protocol';

export class VoteRound {
  /** candidate id -> guest id -> value */
  private readonly votes = new Map<number, Map<string, 1 | -1>>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  closing = false;

  constructor(
    readonly stored: StoredRound,
    votes: Map<number, Map<string, 1 | -1>> = new Map(),
  ) {
    for (const c of stored.candidates) this.votes.set(c.id, new Map(votes.get(c.id) ?? []));
  }

  get id(): number {
    return this.stored.id;
  }

  hasCandidate(candidateId: number): boolean {
    return this.votes.has(candidateId);
  }

  /** Runs `task` after everything queued before it on this round (failures do not stop the chain). */
  serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Records a vote already stored in the database. */
  apply(candidateId: number, guestId: string, value: -1 | 0 | 1): void {
    const m = this.votes.get(candidateId)!;
    if (value === 0) m.delete(guestId);
    else m.set(guestId, value);
  }

  tally(candidateId: number): VoteTally {
    let up = 0;
    let down = 0;
    for (const v of this.votes.get(candidateId)!.values()) v === 1 ? up++ : down++;
    return { candidateId, up, down };
  }

  tallies(): VoteTally[] {
    return this.stored.candidates.map((c) => this.tally(c.id));
  }

  votesOf(guestId: string): { candidateId: number; value: 1 | -1 }[] {
    const out: { candidateId: number; value: 1 | -1 }[] = [];
    for (const [candidateId, m] of this.votes) {
      const value = m.get(guestId);
      if (value) out.push({ candidateId, value });
    }
    return out;
  }

  /**
   * Up to `count` winners: candidates with more keep than discard votes, best score first (then
   * more keep votes, then the judge's confidence, then position).
   */
  winners(count: number): VoteTally[] {
    const conf = new Map(this.stored.candidates.map((c) => [c.id, c] as const));
    return this.tallies()
      .filter((t) => t.up - t.down > 0)
      .sort(
        (a, b) =>
          b.up - b.down - (a.up - a.down) ||
          b.up - a.up ||
          conf.get(b.candidateId)!.confidence - conf.get(a.candidateId)!.confidence ||
          conf.get(a.candidateId)!.position - conf.get(b.candidateId)!.position,
      )
      .slice(0, count);
  }

  isPastDeadline(now = Date.now()): boolean {
    return now >= this.stored.closesAt.getTime();
  }

  /**
   * Calls `onDeadline` when the round's time is up (at once when it already is), and not before
   * `notBeforeMs` from now (a retry after a failed close).
   */
  schedule(onDeadline: () => void, notBeforeMs = 0): void {
    this.cancelTimer();
    // setTimeout's delay is a 32-bit int; rounds are at most minutes long anyway.
    const ms = Math.min(Math.max(notBeforeMs, this.stored.closesAt.getTime() - Date.now()), 2 ** 31 - 1);
    this.timer = setTimeout(onDeadline, ms);
    this.timer.unref();
  }

  cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
