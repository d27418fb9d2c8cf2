/**
 * Moderation (issue 21): what an operator hid, kept in the HiddenContent table (nothing is
 * deleted; showing again removes the row) and cached in memory, since every list asks. The views
 * ask `isHidden` and `nickname` before answering, and subscribe to `changed` to send their live
 * state again (a hidden nickname leaves every open page at once); the socket layer tells the
 * pages with `moderation:changed`.
 */
import { EventEmitter } from 'node:events';
import type { Db } from './db';
import { HIDDEN_NICKNAME, type HiddenEntry, type HideableKind } from '../lib/protocol';

export interface ModerationChange {
  kind: HideableKind;
  /** A nickname in its compared form (trimmed, lower case). */
  id: string;
  hidden: boolean;
}

/** A nickname as moderation compares it: without case and surrounding spaces. */
export const nicknameKey = (name: string): string => name.trim().toLowerCase();

export class Moderation extends EventEmitter<{ changed: [ModerationChange] }> {
  private readonly hidden = new Map<string, Date>();
  private loaded: Promise<void> | undefined;

  constructor(private readonly getDb: () => Promise<Db>) {
    super();
    // Every live view subscribes (sessions, rooms, voting, one listener each per attach).
    this.setMaxListeners(0);
  }

  private static key(kind: HideableKind, id: string | number): string {
    return `${kind}:${kind === 'nickname' ? nicknameKey(String(id)) : String(id)}`;
  }

  /** Loads what is hidden (once); a database that is down hides nothing until it answers. */
  ready(): Promise<void> {
    this.loaded ??= (async () => {
      const rows = await (await this.getDb()).hiddenContent.findMany();
      for (const r of rows) this.hidden.set(Moderation.key(r.kind as HideableKind, r.targetId), r.hiddenAt);
    })().catch((err: unknown) => {
      this.loaded = undefined;
      console.error('[moderation] could not load hidden content:', err instanceof Error ? err.message : err);
    });
    return this.loaded;
  }

  isHidden(kind: HideableKind, id: string | number): boolean {
    return this.hidden.has(Moderation.key(kind, id));
  }

  /** A nickname as others may see it: an operator-hidden one becomes "(hidden)". */
  nickname<T extends string | null>(name: T): T | typeof HIDDEN_NICKNAME {
    return name !== null && this.isHidden('nickname', name) ? HIDDEN_NICKNAME : name;
  }

  /** Whether `name` is the nickname a change is about. */
  static concerns(change: ModerationChange, name: string | null): boolean {
    return change.kind === 'nickname' && name !== null && nicknameKey(name) === change.id;
  }

  /** Hides or shows again, in the database and here; `changed` tells this process's views. */
  async set(kind: HideableKind, id: string, hidden: boolean): Promise<ModerationChange> {
    await this.ready();
    const db = await this.getDb();
    const targetId = kind === 'nickname' ? nicknameKey(id) : id;
    if (hidden) {
      const row = await db.hiddenContent.upsert({
        where: { kind_targetId: { kind, targetId } },
        create: { kind, targetId },
        update: {},
      });
      this.hidden.set(Moderation.key(kind, targetId), row.hiddenAt);
    } else {
      await db.hiddenContent.deleteMany({ where: { kind, targetId } });
      this.hidden.delete(Moderation.key(kind, targetId));
    }
    const change = { kind, id: targetId, hidden };
    this.emit('changed', change);
    return change;
  }

  /**
   * A change another web node made (several machines): its row is already written; this process
   * updates its cache and tells its views.
   */
  applyElsewhere(change: ModerationChange, hiddenAt = new Date()): void {
    const key = Moderation.key(change.kind, change.id);
    if (change.hidden) this.hidden.set(key, this.hidden.get(key) ?? hiddenAt);
    else this.hidden.delete(key);
    this.emit('changed', change);
  }

  list(): HiddenEntry[] {
    return [...this.hidden.entries()]
      .map(([key, at]) => {
        const colon = key.indexOf(':');
        return { kind: key.slice(0, colon) as HideableKind, id: key.slice(colon + 1), hiddenAt: at.toISOString() };
      })
      .sort((a, b) => b.hiddenAt.localeCompare(a.hiddenAt));
  }
}
