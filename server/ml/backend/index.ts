/**
 * The one place that picks the TensorFlow.js backend: tfjs-node-gpu, then tfjs-node, then wasm
 * (with our fast training kernels), then the pure-JS cpu backend; TFJS_BACKEND forces one. Every
 * process or worker thread that runs tfjs calls `initBackend()` once before its first op.
 */
import * as tf from '@tensorflow/tfjs';
import { env } from '../../env';
import { chooseBackend, type BackendInfo } from './choose';
import { nodeLoaders } from './loaders';

export { tf };
export type { BackendInfo } from './choose';
export { chooseBackend } from './choose';

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** Chooses and activates the backend (once per thread), logging the choice in one line. */
export function initBackend(): Promise<BackendInfo> {
  pending ??= chooseBackend(env.TFJS_BACKEND, nodeLoaders).then(
    (info) => {
      current = info;
      process.stderr.write(describeBackend(info) + '\n');
      return info;
    },
    (err: unknown) => {
      pending = undefined;
      throw err;
    },
  );
  return pending;
}

/** The active backend, or undefined before `initBackend()` has finished. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export function describeBackend(info: BackendInfo): string {
  const simd = info.simd === undefined ? '' : info.simd ? ' (simd)' : ' (no simd)';
  const tried = info.tried.length ? ' — tried ' + info.tried.map((t) => `${t.name}: ${t.error}`).join(', ') : '';
  return `[tfjs] backend ${info.name}${simd}${tried}`;
}
