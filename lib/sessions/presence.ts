/**
 * Presence in a room: who is here, by person rather than by connection (two tabs of one person are
 * one entry, present until the last tab leaves). Changes are numbered and handed out in batches,
 * so a join storm of hundreds of clients costs a few broadcasts rather than one per join per
 * viewer. Plain state with no sockets: a room (a training session, later a voting round) calls it
 * and broadcasts what `flush` gets.
 */

export type PresenceChange<M extends { id: string }> =
  | { op: 'join'; version: number; viewer: M }
  | { op: 'leave'; version: number; id: string };

interface Entry<M> {
  member: M;
  connections: Set<string>;
}

export class Presence<M extends { id: string }> {
  private readonly entries = new Map<string, Entry<M>>();
  private pending: PresenceChange<M>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private versionCounter = 0;

  /**
   * `flush` receives the changes since the last call, at most once per `batchMs`; it is not called
   * after `close()`.
   */
  constructor(
    private readonly flush: (changes: PresenceChange<M>[]) => void,
    private readonly batchMs = 200,
  ) {}

  /** The version of the list `members()` returns now; changes with a higher version come later. */
  get version(): number {
    return this.versionCounter;
  }

  get size(): number {
    return this.entries.size;
  }

  members(): M[] {
    return [...this.entries.values()].map((e) => e.member);
  }

  /** At most `limit` members, those `first` picks ahead of the others (in order of arrival otherwise). */
  sample(limit: number, first: (member: M) => boolean): M[] {
    const out: M[] = [];
    for (const e of this.entries.values()) if (out.length < limit && first(e.member)) out.push(e.member);
    for (const e of this.entries.values()) if (out.length < limit && !first(e.member)) out.push(e.member);
    return out;
  }

  has(memberId: string): boolean {
    return this.entries.has(memberId);
  }

  /** Adds a connection of `member`; a new person (or a changed member record) is announced. */
  join(member: M, connectionId: string): void {
    const entry = this.entries.get(member.id);
    if (entry) {
      entry.connections.add(connectionId);
      if (JSON.stringify(entry.member) === JSON.stringify(member)) return;
      entry.member = member;
    } else {
      this.entries.set(member.id, { member, connections: new Set([connectionId]) });
    }
    this.record({ op: 'join', version: ++this.versionCounter, viewer: member });
  }

  /**
   * Announces the members `which` picks again, as if they joined now, so lists built from the
   * changes show them as they are shown now (a moderator hid a nickname or showed it again).
   */
  announceAgain(which: (member: M) => boolean): void {
    for (const { member } of this.entries.values())
      if (which(member)) this.record({ op: 'join', version: ++this.versionCounter, viewer: member });
  }

  /** Removes a connection; the person leaves with their last one. */
  leave(memberId: string, connectionId: string): void {
    const entry = this.entries.get(memberId);
    if (!entry?.connections.delete(connectionId) || entry.connections.size > 0) return;
    this.entries.delete(memberId);
    this.record({ op: 'leave', version: ++this.versionCounter, id: memberId });
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private record(change: PresenceChange<M>): void {
    this.pending.push(change);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const changes = this.pending;
      this.pending = [];
      if (changes.length) this.flush(changes);
    }, this.batchMs);
  }
}

/** Applies numbered changes to a list (client side): the ones at or below `version` are already in it. */
export function applyPresence<M extends { id: string }>(
  list: readonly M[],
  version: number,
  changes: readonly PresenceChange<M>[],
): { list: M[]; version: number } {
  const byId = new Map(list.map((m) => [m.id, m]));
  let v = version;
  for (const c of changes) {
    if (c.version <= v) continue;
    if (c.op === 'join') byId.set(c.viewer.id, c.viewer);
    else byId.delete(c.id);
    v = c.version;
  }
  return { list: [...byId.values()], version: v };
}
