/**
 * Test helper: runs the same computation on the cpu backend (the reference) and on wasm with our
 * kernels, and returns the relative error of each output (max |difference| / max |reference|).
 */
import { initBackend, tf } from '../../../server/ml/backend';
import { registerFastWasmKernels } from '../../../server/ml/backend/kernels';
import '@tensorflow/tfjs-backend-wasm';

export async function setUpBackends(): Promise<void> {
  registerFastWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
}

export async function wasmVersusCpu(f: () => tf.Tensor[]): Promise<number[]> {
  await tf.setBackend('cpu');
  const reference = tf.tidy(f).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const got = tf.tidy(f);
  const result = got.map((t, i) => {
    const ref = reference[i]!;
    if (t.shape.join() !== ref.shape.join()) throw new Error(`shape ${t.shape} != reference ${ref.shape}`);
    return relativeError(t.dataSync() as Float32Array, ref.data);
  });
  tf.dispose(got);
  if (tf.memory().numTensors !== before) throw new Error('tensors leaked');
  // A kernel's temporaries live below the engine: only the backend's count shows a leak.
  if (tf.backend().numDataIds() !== dataBefore) throw new Error('wasm memory leaked by a kernel');
  return result;
}

export function relativeError(got: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  if (Number.isNaN(diff) || got.length !== ref.length) return Infinity;
  return diff / (scale || 1);
}

/** Deterministic random tensor (same values on both backends). */
export function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

export { initBackend, tf };
