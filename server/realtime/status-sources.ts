/**
 * Wires the status service to the real parts of the playground: the TensorFlow.js backend module,
 * the database module and the served model. This is the one place that knows where each status
 * comes from; the service itself (status.ts) only reports.
 */
import { checkDb, closeDb, targetFromEnv } from '../db';
import { backendInfo, initBackend } from '../ml/backend';
import type { BackendStatus } from './protocol';
import type { StatusSources } from './status';

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
      if (!info) return { name: null, tried: [{ name: 'auto', ok: false, error: backendFailure ?? 'starting' }] };
      return {
        name: info.name,
        ...(info.simd === undefined ? {} : { simd: info.simd }),
        tried: [...info.tried.map((t) => ({ ...t, ok: false })), { name: info.name, ok: true }],
      };
    },
    // WIRING POINT (lead): the served model from models/cnn; until then none is reported.
    model: () => ({ loaded: false, path: null, params: null }),
    database: async () => {
      const { ok, kind, where, error } = await checkDb();
      return error === undefined ? { ok, kind, where } : { ok, kind, where, error };
    },
    close: closeDb,
  };
}
