/**
 * Tile for float32: copy each innermost row once, then replicate whole blocks with copyWithin
 * (memmove), doubling the copied span each time. The gradient of batch normalization tiles a
 * [1,1,1,C] vector up to [N,H,W,C]; the stock wasm kernel computes an index per element and took a
 * third of a medium CNN's training step.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, f32, runStock, type KernelArgs, type TensorInfo, wasmKernel } from './wasm-calls';

/** Copies `out[start, start+block)` to fill `out[start, start+block*times)`. */
function replicate(out: Float32Array, start: number, block: number, times: number): void {
  const total = block * times;
  let filled = block;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    out.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

export function tileInto(x: Float32Array, shape: number[], reps: number[], out: Float32Array): void {
  const r = shape.length;
  const inStrides = new Array<number>(r);
  const outStrides = new Array<number>(r);
  for (let i = r - 1, si = 1, so = 1; i >= 0; i--) {
    inStrides[i] = si;
    outStrides[i] = so;
    si *= shape[i]!;
    so *= shape[i]! * reps[i]!;
  }
  const fill = (axis: number, inOffset: number, outOffset: number): void => {
    const n = shape[axis]!;
    if (axis === r - 1) {
      if (n === 1) out[outOffset] = x[inOffset]!;
      else out.set(x.subarray(inOffset, inOffset + n), outOffset);
    } else {
      for (let i = 0; i < n; i++) fill(axis + 1, inOffset + i * inStrides[axis]!, outOffset + i * outStrides[axis]!);
    }
    if (reps[axis]! > 1) replicate(out, outOffset, n * outStrides[axis]!, reps[axis]!);
  };
  fill(0, 0, 0);
}

function tileKernel(args: KernelArgs<{ reps: number[] }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length === 0 || tf.util.sizeFromShape(x.shape) === 0) {
    return runStock(backend, tf.Tile, inputs, attrs);
  }
  const out = alloc(
    backend,
    x.shape.map((d, i) => d * attrs.reps[i]!),
  );
  tileInto(f32(backend, x), x.shape, attrs.reps, f32(backend, out));
  return out;
}

export const tileConfig = wasmKernel(tf.Tile, tileKernel);
