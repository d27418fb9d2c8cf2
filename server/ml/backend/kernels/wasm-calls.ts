/**
 * The small toolbox our wasm kernels share: calling another kernel of the wasm backend directly
 * (no engine bookkeeping, no tape), allocating outputs, viewing tensor memory on the wasm heap and
 * freeing temporaries.
 *
 * Rules every kernel follows:
 * - a temporary made here is freed exactly once with `free` (reshape-like kernels share data ids
 *   and bump a reference count, so freeing twice would free someone else's data);
 * - heap views are taken only after the last allocation of a kernel: an allocation may grow the
 *   wasm memory, which detaches every Float32Array view taken before it.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type Backend = BackendWasm;
export type KernelArgs<A = Record<string, unknown>> = {
  inputs: Record<string, TensorInfo>;
  backend: Backend;
  attrs: A;
};

/** The stock wasm kernel functions, captured before we replace some of them. */
const stock = new Map<string, tf.KernelFunc>();

/** Remembers the stock implementation of a kernel (first call wins, so re-registering is safe). */
export function captureStock(name: string): tf.KernelConfig | undefined {
  const config = tf.getKernel(name, 'wasm');
  if (config && !stock.has(name)) stock.set(name, config.kernelFunc);
  return config;
}

/** The registration of one of our kernels for the wasm backend. */
export function wasmKernel<A>(kernelName: string, kernelFunc: (args: KernelArgs<A>) => TensorInfo): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

type Inputs = Record<string, TensorInfo>;
type Attrs = Record<string, unknown>;

function call(fn: tf.KernelFunc | undefined, name: string, backend: Backend, inputs: Inputs, attrs: Attrs) {
  if (!fn) throw new Error(`wasm kernel ${name} is not registered`);
  return fn({ inputs, backend, attrs } as never) as TensorInfo;
}

/** Runs a kernel of the wasm backend: our replacement if registered, else the stock one. */
export function run(backend: Backend, name: string, inputs: Inputs, attrs: Attrs = {}): TensorInfo {
  return call(tf.getKernel(name, 'wasm')?.kernelFunc, name, backend, inputs, attrs);
}

/** Runs the stock wasm implementation of a kernel we replaced. */
export function runStock(backend: Backend, name: string, inputs: Inputs, attrs: Attrs = {}): TensorInfo {
  return call(stock.get(name) ?? tf.getKernel(name, 'wasm')?.kernelFunc, name, backend, inputs, attrs);
}

/** The attributes of a 2-D convolution that its gradient kernels receive. */
export type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

type Shape4 = [number, number, number, number];

/**
 * The forward convolution's geometry (input [N,H,W,C], filter [KH,KW,C,CO]), for the gradient
 * kernel `kernel`; NHWC only, as tfjs-layers uses.
 */
export function forwardConvInfo(kernel: string, attrs: ConvAttrs, xShape: number[], filterShape: number[]) {
  if (attrs.dataFormat === 'NCHW') throw new Error(`wasm ${kernel} supports dataFormat 'NHWC' only.`);
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

export function free(backend: Backend, t: TensorInfo): void {
  backend.disposeData(t.dataId);
}

export function alloc(backend: Backend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** A float32 view of a tensor's memory; valid only until the next allocation. */
export function f32(backend: Backend, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function reshape(backend: Backend, x: TensorInfo, shape: number[]): TensorInfo {
  return run(backend, 'Reshape', { x }, { shape });
}

export function transpose(backend: Backend, x: TensorInfo, perm: number[]): TensorInfo {
  return run(backend, 'Transpose', { x }, { perm });
}

/**
 * A stride-1 NHWC convolution with explicit (possibly negative) padding and a dilation: negative
 * padding crops the input first, since XNNPACK takes unsigned padding.
 */
export function conv2dPadded(
  backend: Backend,
  x: TensorInfo,
  filter: TensorInfo,
  pad: { top: number; bottom: number; left: number; right: number },
  dilations: [number, number] = [1, 1],
): TensorInfo {
  const [n, h, w, c] = x.shape;
  const cropTop = Math.max(0, -pad.top);
  const cropBottom = Math.max(0, -pad.bottom);
  const cropLeft = Math.max(0, -pad.left);
  const cropRight = Math.max(0, -pad.right);
  let input = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    input = run(
      backend,
      'Slice',
      { x },
      {
        begin: [0, cropTop, cropLeft, 0],
        size: [n!, h! - cropTop - cropBottom, w! - cropLeft - cropRight, c!],
      },
    );
  }
  const explicit = [
    [0, 0],
    [Math.max(0, pad.top), Math.max(0, pad.bottom)],
    [Math.max(0, pad.left), Math.max(0, pad.right)],
    [0, 0],
  ];
  const out = run(
    backend,
    'Conv2D',
    { x: input, filter },
    {
      strides: [1, 1],
      pad: explicit,
      dataFormat: 'NHWC',
      dilations,
      dimRoundingMode: undefined,
    },
  );
  if (input !== x) free(backend, input);
  return out;
}
