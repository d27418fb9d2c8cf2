/**
 * Moderation (issue 21): what an operator hid, kept in the HiddenContent table (nothing is
 * deleted; showing again removes the row) and cached in memory, since every list asks. The views
 * ask `isHidden` and `nickname` before answering; `changes` tells the socket layer to push
 * `moderation:changed` to everyone.
 */
import type { Db } from './db';
import { HIDDEN_NICKNAME, type HiddenEntry, type HideableKind } from '../lib/protocol';

export class Moderation {
  private readonly hidden = new Map<string, Date>();
  private loaded: Promise<void> | undefined;

  constructor(private readonly getDb: () => Promise<Db>) {}

  private static key(kind: HideableKind, id: string | number): string {
    return `${kind}:${kind === 'nickname' ? String(id).trim().toLowerCase() : String(id)}`;
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

  async set(kind: HideableKind, id: string, hidden: boolean): Promise<void> {
    await this.ready();
    const db = await this.getDb();
    const targetId = kind === 'nickname' ? id.trim().toLowerCase() : id;
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
