/**
 * Sum and Mean over leading axes, the reductions of training: bias and BatchNorm gradients and
 * BatchNorm statistics reduce a [N,H,W,C] activation to [C]. The stock wasm kernels first transpose
 * the reduced axes innermost with the stock (slow) transpose; a single pass that adds rows into
 * per-channel accumulators avoids both the copy and the transpose. Other axis sets are transposed
 * with our fast Transpose and handed to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, f32, free, runStock, type Backend, type KernelArgs, type TensorInfo } from './wasm-calls';
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

function sumLeading(backend: Backend, x: TensorInfo, k: number, outShape: number[], mean: boolean): TensorInfo {
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const cols = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const out = alloc(backend, outShape);
  const xv = f32(backend, x);
  const acc = new Float64Array(cols);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++, o++) acc[j]! += xv[o]!;
  }
  const scale = mean ? 1 / rows : 1;
  f32(backend, out).set(scale === 1 ? acc : acc.map((v) => v * scale));
  return out;
}

export const sumConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: reduceKernel('Sum') as unknown as tf.KernelFunc,
};

export const meanConfig = {
  kernelName: tf.Mean,
  backendName: 'wasm',
  kernelFunc: reduceKernel('Mean') as unknown as tf.KernelFunc,
};
