/**
 * The playground's status (TensorFlow.js backend, model, database, uptime), kept by one service
 * that polls its sources, answers `status:get` from its last known state and pushes `status` to
 * every client when something other than the clock changes.
 *
 * The sources are small functions so this module does not load TensorFlow.js or Prisma itself:
 * it only reports what they say. server/main.ts wires the real ones.
 */
import type { BackendStatus, DatabaseStatus, ModelStatus, Status, TrainerStatus } from '../../lib/protocol';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from './requests';

export interface StatusSources {
  /** Cheap and synchronous: which backend runs and what was tried. */
  backend(): BackendStatus;
  /** Cheap and synchronous: the model the server serves, if any. */
  model(): ModelStatus;
  /** One round trip to the database; may reject, which counts as unreachable. */
  database(): Promise<DatabaseStatus>;
  /** Several machines: the trainers reporting to the shared Redis; may reject (reported as none). */
  trainers?(): Promise<TrainerStatus[]>;
  /** Which database `database()` talks to, reported when it times out or throws. */
  databaseKind: DatabaseStatus['kind'];
  /** Releases what the sources opened (the database client); called when the server closes. */
  close?(): Promise<void>;
}

export interface StatusServiceOptions {
  /** How often the database is checked again, in ms. */
  pollMs?: number;
  /** A database check slower than this counts as unreachable, in ms. */
  databaseTimeoutMs?: number;
}

export interface StatusService {
  /** The last known status, with the clock fields taken now. */
  current(): Status;
  /**
   * Checks every source again now; resolves with the new status. `databaseTimeoutMs` overrides the
   * usual limit (the first check opens and migrates the database, which takes seconds).
   */
  refresh(databaseTimeoutMs?: number): Promise<Status>;
  /** Calls `listener` whenever a refresh changes anything but the clock fields. */
  onChange(listener: (status: Status) => void): () => void;
  /** Starts polling. */
  start(): void;
  stop(): void;
}

export function createStatusService(
  sources: StatusSources,
  { pollMs = 5000, databaseTimeoutMs = 3000 }: StatusServiceOptions = {},
): StatusService {
  const startedAt = Date.now();
  const listeners = new Set<(status: Status) => void>();
  let parts: Pick<Status, 'backend' | 'model' | 'database' | 'trainers'> = {
    backend: { name: null, tried: [] },
    model: { loaded: false, path: null, params: null },
    database: { ok: false, kind: sources.databaseKind, error: 'Not checked yet.' },
  };
  let inFlight: Promise<Status> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const current = (): Status => ({
    ...parts,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    serverTime: new Date().toISOString(),
  });

  async function check(timeoutMs: number): Promise<Status> {
    const database = await withTimeout(sources.database(), timeoutMs).catch(
      (err: unknown): DatabaseStatus => ({
        ok: false,
        kind: sources.databaseKind,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
    const trainers = sources.trainers
      ? await withTimeout(sources.trainers(), timeoutMs).catch((): TrainerStatus[] => [])
      : undefined;
    const next = { backend: sources.backend(), model: sources.model(), database, ...(trainers && { trainers }) };
    const changed = JSON.stringify(next) !== JSON.stringify(parts);
    parts = next;
    const status = current();
    if (changed) for (const listener of listeners) listener(status);
    return status;
  }

  const refresh = (timeoutMs = databaseTimeoutMs): Promise<Status> => {
    // Concurrent callers share one check, so a burst of requests costs one database round trip.
    inFlight ??= check(timeoutMs).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    current,
    refresh,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (timer) return;
      timer = setInterval(() => {
        refresh().catch((err: unknown) => console.error('[status] refresh failed:', err));
      }, pollMs);
      timer.unref(); // polling alone must not keep a finished process alive
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** Serves `status:get` on every connection and pushes `status` to everyone when it changes. */
export function attachStatus(io: PlaygroundServer, service: StatusService): () => void {
  // The status is this node's (its backend, model, database): with several nodes, only its own
  // clients hear it, not every node's through the Redis adapter.
  const unsubscribe = service.onChange((status) => io.local.emit('status', status));
  const onConnection = (socket: PlaygroundSocket) => {
    onRequest(socket, 'status:get', () => service.current());
  };
  io.on('connection', onConnection);
  return () => {
    unsubscribe();
    io.off('connection', onConnection);
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `The database did not answer within ${ms / 1000} s; check that PostgreSQL runs (DATABASE_URL) ` +
              'or that no other playground uses the same DATA_DIR.',
          ),
        ),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
