/**
 * Sessions in the database: each session's row (settings, state, event history) written as it
 * goes, so a finished session replays after a restart; the trained model registered as a model
 * version. Writes of one session are queued in order and never block or break the live session:
 * a database that is down costs the replay, not the training.
 */
import type { Db, Prisma } from '../../db';
import { registerModelVersion } from '../../db';
import type { TrainingLog } from '../../ml/training/events';
import { SessionConfigSchema, SessionEventSchema, SessionStateSchema, type SessionEvent } from '../../../lib/protocol';
import type { StoredSession, TrainingSession } from './session';

/** A session whose node stopped renewing its runner key (several machines, TRAINERS=local). */
export const RUNNER_LOST_MESSAGE =
  'The server training this session stopped answering (it was shut down hard or lost its connection); create a new session to train again.';

export const INTERRUPTED_MESSAGE =
  'The server restarted while this session was running; create a new session to train again.';

export class SessionStore {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly getDb: () => Promise<Db>) {}

  /** Writes the session's current row (after the writes queued before it). */
  save(session: TrainingSession): Promise<void> {
    const row = toRow(session);
    return this.enqueue(session.id, async (db) => {
      await db.trainingSessionRecord.upsert({ where: { id: row.id }, create: row, update: row });
    });
  }

  /** The model a finished session saved, as a new model version; resolves with its id. */
  async registerModel(session: TrainingSession, outDir: string, log: TrainingLog): Promise<number> {
    const db = await this.getDb();
    const last = log.epochs.at(-1)?.evaluation;
    const version = await registerModelVersion(db, {
      kind: session.config.kind,
      name: `session: ${session.config.name}`,
      path: outDir,
      params: session.params,
      trainingLog: log as unknown as Prisma.InputJsonValue,
      metrics: last
        ? ({
            headline: last.headline,
            headlineName: last.headlineName,
            source: `session ${session.id}`,
          } as Prisma.InputJsonValue)
        : undefined,
    });
    return version.id;
  }

  /** A stored session, or null when there is none with this id. */
  async load(id: string): Promise<StoredSession | null> {
    const db = await this.getDb();
    const row = await db.trainingSessionRecord.findUnique({ where: { id } });
    return row ? fromRow(row) : null;
  }

  /** The most recent stored sessions that have ended (the lobby shows them after a restart). */
  async recent(limit: number): Promise<StoredSession[]> {
    const db = await this.getDb();
    const rows = await db.trainingSessionRecord.findMany({
      where: { state: { in: ['finished', 'stopped', 'failed'] } },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.map(fromRow).filter((s): s is StoredSession => s !== null);
  }

  /** Sessions a previous server left live can never finish: they become failed, with why. */
  async markInterrupted(): Promise<number> {
    const db = await this.getDb();
    const { count } = await db.trainingSessionRecord.updateMany({
      where: { state: { notIn: ['finished', 'stopped', 'failed'] } },
      data: { state: 'failed', message: INTERRUPTED_MESSAGE },
    });
    return count;
  }

  /** Resolves when every queued write has been tried. */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  private enqueue(id: string, write: (db: Db) => Promise<void>): Promise<void> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous
      .then(async () => write(await this.getDb()))
      .catch((err: unknown) => {
        console.error(`[sessions] could not store session ${id}:`, err instanceof Error ? err.message : err);
      });
    this.queues.set(id, next);
    void next.then(() => {
      if (this.queues.get(id) === next) this.queues.delete(id);
    });
    return next;
  }
}

function toRow(session: TrainingSession) {
  return {
    id: session.id,
    name: session.config.name,
    kind: session.config.kind,
    state: session.state,
    message: session.message,
    config: session.config as unknown as Prisma.InputJsonValue,
    hostNickname: session.hostNickname,
    hostGuestId: session.hostIdentity.startsWith('guest:') ? session.hostIdentity.slice('guest:'.length) : null,
    history: session.log.since(null) as unknown as Prisma.InputJsonValue,
    probeImages: session.probeImages,
    modelVersionId: session.modelVersionId,
    createdAt: session.createdAt,
  };
}

type Row = Awaited<ReturnType<Db['trainingSessionRecord']['findUniqueOrThrow']>>;

/** A row back to a session; rows this version cannot read (older formats) are skipped, not fatal. */
function fromRow(row: Row): StoredSession | null {
  // Rows stored before sessions had a critic trained without one; only new requests get its default.
  const config = SessionConfigSchema.safeParse(
    row.config && typeof row.config === 'object' && !Array.isArray(row.config)
      ? { adversarial: false, ...row.config }
      : row.config,
  );
  const state = SessionStateSchema.safeParse(row.state);
  if (!config.success || !state.success) return null;
  const history = Array.isArray(row.history)
    ? row.history.flatMap((e) => {
        const parsed = SessionEventSchema.safeParse(e);
        return parsed.success ? [parsed.data as SessionEvent] : [];
      })
    : [];
  return {
    id: row.id,
    config: config.data,
    // Its controls end with it, but its host still opens its voting rounds.
    hostIdentity: row.hostGuestId ? `guest:${row.hostGuestId}` : '',
    hostNickname: row.hostNickname,
    createdAt: row.createdAt,
    state: state.data,
    message: row.message,
    history,
    modelVersionId: row.modelVersionId,
    probeImages: Array.isArray(row.probeImages)
      ? row.probeImages.filter((p): p is string => typeof p === 'string')
      : [],
  };
}
