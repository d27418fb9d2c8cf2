/**
 * FusedBatchNorm (the forward of a batch-normalization layer) as one XNNPACK 1x1 depthwise
 * convolution: per channel, y = x * s + o with s = scale / sqrt(variance + eps) and
 * o = offset - mean * s, folded in JS over the C channels. The stock wasm kernel spends ~9x the CPU
 * time on a [128,28,28,32] activation. Parameters that are not per-channel vectors go to the stock one.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, f32, free, reshape, run, runStock, type KernelArgs, type TensorInfo, wasmKernel } from './wasm-calls';

function batchNormKernel(args: KernelArgs<{ varianceEpsilon: number }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
  const c = x!.shape[x!.shape.length - 1] ?? 0;
  const perChannel = (t: TensorInfo | undefined): boolean =>
    t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === c);
  const size = tf.util.sizeFromShape(x!.shape);
  if (x!.dtype !== 'float32' || size === 0 || c === 0 || ![mean, variance, offset, scale].every(perChannel)) {
    return runStock(backend, tf.FusedBatchNorm, inputs, attrs);
  }
  const filter = alloc(backend, [1, 1, c, 1]);
  const bias = alloc(backend, [c]);
  const m = f32(backend, mean!);
  const v = f32(backend, variance!);
  const s = scale ? f32(backend, scale) : undefined;
  const o = offset ? f32(backend, offset) : undefined;
  const fv = f32(backend, filter);
  const bv = f32(backend, bias);
  for (let i = 0; i < c; i++) {
    const k = (s ? s[i]! : 1) / Math.sqrt(v[i]! + attrs.varianceEpsilon);
    fv[i] = k;
    bv[i] = (o ? o[i]! : 0) - m[i]! * k;
  }
  const image = reshape(backend, x!, [1, size / c, 1, c]);
  const y = run(
    backend,
    'FusedDepthwiseConv2D',
    { x: image, filter, bias },
    {
      strides: [1, 1],
      pad: 'valid',
      dilations: [1, 1],
      dataFormat: 'NHWC',
      activation: 'linear',
    },
  );
  free(backend, image);
  free(backend, filter);
  free(backend, bias);
  const out = reshape(backend, y, x!.shape);
  free(backend, y);
  return out;
}

export const batchNormConfig = wasmKernel(tf.FusedBatchNorm, batchNormKernel);
