/**
 * The fallback order of TensorFlow.js backends as a pure function: given what was requested and a
 * loader per backend, try them in order and report what was tried. Loaders are injected so the
 * order and the error for a forced backend can be tested without the native packages.
 */
import { UserFacingError } from '../../errors';
import { BACKEND_NAMES, type BackendName } from '../../env';

export type BackendRequest = 'auto' | BackendName;

/** Loads and activates one backend; resolves to extra facts (e.g. SIMD) or throws why it cannot. */
// biome-ignore lint/suspicious/noConfusingVoidType: void lets a loader with no facts be a plain `async () => { ... }` without a return statement (with undefined, TypeScript rejects the Promise<void> those infer)
export type BackendLoader = () => Promise<{ simd?: boolean } | void>;

export type BackendInfo = {
  name: BackendName;
  /** Backends tried before this one, with why each failed. */
  tried: { name: BackendName; error: string }[];
  simd?: boolean;
};

export async function chooseBackend(
  requested: BackendRequest,
  loaders: Record<BackendName, BackendLoader>,
): Promise<BackendInfo> {
  const order: readonly BackendName[] = requested === 'auto' ? BACKEND_NAMES : [requested];
  const tried: BackendInfo['tried'] = [];
  for (const name of order) {
    try {
      const facts = await loaders[name]();
      return { name, tried, ...(facts ?? {}) };
    } catch (err) {
      tried.push({ name, error: shortReason(err) });
    }
  }
  if (requested !== 'auto') {
    const others = BACKEND_NAMES.filter((n) => n !== requested).join(', ');
    throw new UserFacingError(
      `TFJS_BACKEND=${requested} cannot be loaded (${tried[0]?.error ?? 'unknown reason'}); ` +
        `set TFJS_BACKEND to auto or one of ${others}.`,
    );
  }
  throw new UserFacingError(
    `No TensorFlow.js backend could be loaded (${tried.map((t) => `${t.name}: ${t.error}`).join('; ')}); ` +
      `reinstall the dependencies with npm install.`,
  );
}

/** One line: a missing package says so, anything else keeps the first line of its message. */
export function shortReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  const message = e?.message ?? String(err);
  return message.split('\n')[0]!.slice(0, 200);
}
