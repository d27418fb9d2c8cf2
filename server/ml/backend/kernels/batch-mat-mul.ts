/**
 * BatchMatMul with transpose flags: transpose the flagged operands with our fast Transpose, then
 * call the stock kernel without flags. The stock kernel handles a flag through a slow path (the
 * dense-layer gradients of a small CNN took 41 ms per step instead of 6 ms).
 */
import * as tf from '@tensorflow/tfjs';
import { free, runStock, type KernelArgs, type TensorInfo, type Backend, wasmKernel } from './wasm-calls';
import { fastTranspose } from './transpose';

/** Swaps the last two axes. */
function swapLastTwo(backend: Backend, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return fastTranspose(backend, x, perm);
}

function batchMatMulKernel(args: KernelArgs<{ transposeA: boolean; transposeB: boolean }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if ((!attrs.transposeA && !attrs.transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStock(backend, tf.BatchMatMul, inputs, attrs);
  }
  const a2 = attrs.transposeA ? swapLastTwo(backend, a) : a;
  const b2 = attrs.transposeB ? swapLastTwo(backend, b) : b;
  const out = runStock(backend, tf.BatchMatMul, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  if (a2 !== a) free(backend, a2);
  if (b2 !== b) free(backend, b2);
  return out;
}

export const batchMatMulConfig = wasmKernel(tf.BatchMatMul, batchMatMulKernel);
