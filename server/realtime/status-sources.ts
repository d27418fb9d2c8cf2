/**
 * Wires the status service to the real parts of the playground: the TensorFlow.js backend module,
 * the database module and the served model. This is the one place that knows where each status
 * comes from; the service itself (status.ts) only reports.
 */
import path from 'node:path';
import { checkDb, closeDb, targetFromEnv } from '../db';
import { withoutPaths } from '../errors';
import { backendInfo, initBackend } from '../ml/backend';
import type { BackendStatus } from '../../lib/protocol';
import type { StatusSources } from './status';
import type { Recognizer } from '../recognition/recognizer';

/** The recognizer whose model the status reports: the drawing handlers' (set when they attach). */
let served: Recognizer | undefined;
export function reportModelOf(recognizer: Recognizer): void {
  served = recognizer;
}

/**
 * Activates the TensorFlow.js backend of this process (loading it is quick; the heavy work, training,
 * runs in worker threads) and opens nothing else: the database is opened by its first check.
 */
export async function loadStatusSources(): Promise<StatusSources> {
  let backendFailure: string | undefined;
  await initBackend().catch((err: unknown) => {
    backendFailure = err instanceof Error ? err.message : String(err);
  });
  return {
    databaseKind: targetFromEnv().kind,
    backend: (): BackendStatus => {
      const info = backendInfo();
      if (!info)
        return { name: null, tried: [{ name: 'auto', ok: false, error: withoutPaths(backendFailure ?? 'starting') }] };
      return {
        name: info.name,
        ...(info.simd === undefined ? {} : { simd: info.simd }),
        tried: [
          ...info.tried.map((t) => ({
            ...t,
            ok: false,
            ...(t.error === undefined ? {} : { error: withoutPaths(t.error) }),
          })),
          { name: info.name, ok: true },
        ],
      };
    },
    model: () => {
      const m = served?.current();
      // The model's folder name (e.g. "cnn"), not where it is on the server.
      return m
        ? { loaded: true, path: path.basename(path.resolve(m.dir)), params: m.params, version: m.version }
        : { loaded: false, path: null, params: null };
    },
    database: async () => {
      const { ok, kind, where: described, error } = await checkDb();
      // PostgreSQL's host and database name are not paths; an embedded database's folder is.
      const where = kind === 'pglite' ? (described.includes('in-memory') ? described : 'embedded PGlite') : described;
      return error === undefined ? { ok, kind, where } : { ok, kind, where, error: withoutPaths(error) };
    },
    close: closeDb,
  };
}
