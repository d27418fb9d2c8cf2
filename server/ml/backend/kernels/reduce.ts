/**
 * Sum and Mean over leading axes, the reductions of training: bias and BatchNorm gradients and
 * BatchNorm statistics reduce a [N,H,W,C] activation to [C]. The stock wasm kernels first transpose
 * the reduced axes innermost with the stock (slow) transpose; an average pooling whose window is the
 * whole tensor avoids the copy. Other axis sets are transposed with our fast Transpose and handed
 * to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import {
  f32,
  free,
  reshape,
  run,
  runStock,
  type Backend,
  type KernelArgs,
  type TensorInfo,
  wasmKernel,
} from './wasm-calls';
import { fastTranspose } from './transpose';

type Attrs = { axis: number | number[]; keepDims: boolean };

function reduceKernel(kind: 'Sum' | 'Mean') {
  return (args: KernelArgs<Attrs>): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const innermost = axes.every((a, i) => a === rank - axes.length + i);
    if (x.dtype !== 'float32' || axes.length === 0 || innermost || tf.util.sizeFromShape(x.shape) === 0) {
      return runStock(backend, kind, inputs, attrs);
    }
    const keptShape = x.shape.filter((_, i) => !axes.includes(i));
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptShape;
    const leading = axes.every((a, i) => a === i);
    if (leading) return sumLeading(backend, x, axes.length, outShape, kind === 'Mean');
    // Move the reduced axes innermost with our transpose, then reduce there.
    const perm = [...x.shape.keys()].filter((i) => !axes.includes(i)).concat(axes);
    const moved = fastTranspose(backend, x, perm);
    const inner = [...Array(axes.length).keys()].map((i) => rank - axes.length + i);
    const out = runStock(backend, kind, { x: moved }, { axis: inner, keepDims: false });
    free(backend, moved);
    out.shape = outShape;
    return out;
  };
}

/**
 * Mean (or sum) over the first k axes as one XNNPACK average pooling: the tensor viewed as a
 * [1, R1, R2, cols] image whose window is the whole image. SIMD wasm does this ~5x faster than a
 * JS loop can.
 */
function sumLeading(backend: Backend, x: TensorInfo, k: number, outShape: number[], mean: boolean): TensorInfo {
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const cols = x.shape.slice(k).reduce((a, b) => a * b, 1);
  if (rows === 1) return reshape(backend, x, outShape);
  const r2 = x.shape[k - 1]!;
  const image = reshape(backend, x, [1, rows / r2, r2, cols]);
  const pooled = run(backend, 'AvgPool', { x: image }, { filterSize: [rows / r2, r2], strides: 1, pad: 'valid' });
  free(backend, image);
  if (!mean) {
    const v = f32(backend, pooled);
    for (let j = 0; j < cols; j++) v[j] = v[j]! * rows;
  }
  const out = reshape(backend, pooled, outShape);
  free(backend, pooled);
  return out;
}

export const sumConfig = wasmKernel(tf.Sum, reduceKernel('Sum'));

export const meanConfig = wasmKernel(tf.Mean, reduceKernel('Mean'));
