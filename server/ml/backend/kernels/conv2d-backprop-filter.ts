/**
 * Conv2DBackpropFilter, which the wasm backend lacks (training a conv net fails without it).
 *
 * dW[kh,kw,c,co] = sum over n,oh,ow of x[n, oh*s+kh-pt, ow*s+kw-pl, c] * dy[n,oh,ow,co] is itself a
 * forward convolution once batch and channel axes swap roles: x as [C,H,W,N] convolved with dy as
 * a filter [OH,OW,N,CO], dilation = the forward stride, gives [C,KH,KW,CO]; XNNPACK then does the
 * heavy lifting. For a first layer with a tiny reduction (KH*KW*C <= 64, e.g. 3x3 on one grey
 * channel) an im2col patch matrix times dy in one BatchMatMul is faster.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, conv2dPadded, f32, free, reshape, run, transpose, forwardConvInfo, wasmKernel } from './wasm-calls';
import type { Backend, ConvAttrs, KernelArgs, TensorInfo } from './wasm-calls';

type Attrs = ConvAttrs & { filterShape: [number, number, number, number] };

const IM2COL_MAX_REDUCTION = 64;

function conv2DBackpropFilterKernel(args: KernelArgs<Attrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const dy = inputs.dy!;
  const info = forwardConvInfo('Conv2DBackpropFilter', attrs, x.shape, attrs.filterShape);
  return info.filterHeight * info.filterWidth * info.inChannels <= IM2COL_MAX_REDUCTION
    ? filterGradIm2col(backend, x, dy, info)
    : filterGradAsConv(backend, x, dy, info);
}

export function filterGradAsConv(
  backend: Backend,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  const xT = transpose(backend, x, [3, 1, 2, 0]); // [C,H,W,N]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH,OW,N,CO]
  // Bottom/right padding that makes the output exactly KH x KW; negative means rows the forward
  // conv never reached (valid padding with a stride), which conv2dPadded crops.
  const pad = {
    top: padInfo.top,
    left: padInfo.left,
    bottom: kh + (oh - 1) * sh - h - padInfo.top,
    right: kw + (ow - 1) * sw - w - padInfo.left,
  };
  const grad = conv2dPadded(backend, xT, dyT, pad, [sh, sw]); // [C,KH,KW,CO]
  free(backend, xT);
  free(backend, dyT);
  const out = transpose(backend, grad, [1, 2, 0, 3]);
  free(backend, grad);
  return out;
}

export function filterGradIm2col(
  backend: Backend,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  const rows = kh * kw * c;
  const cols = n * oh * ow;
  // patches[(i,j,ch), (b,r,q)] = x[b, r*sh+i-pt, q*sw+j-pl, ch], zero outside the image.
  const patches = alloc(backend, [1, rows, cols]);
  const xv = f32(backend, x);
  const pv = f32(backend, patches);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let ch = 0; ch < c; ch++) {
        let p = ((i * kw + j) * c + ch) * cols;
        for (let b = 0; b < n; b++) {
          const xb = b * h * w * c;
          for (let r = 0; r < oh; r++) {
            const xr = r * sh + i - padInfo.top;
            if (xr < 0 || xr >= h) {
              pv.fill(0, p, p + ow);
              p += ow;
              continue;
            }
            const rowBase = xb + xr * w * c + ch;
            for (let q = 0; q < ow; q++, p++) {
              const xq = q * sw + j - padInfo.left;
              pv[p] = xq >= 0 && xq < w ? xv[rowBase + xq * c]! : 0;
            }
          }
        }
      }
    }
  }
  const dy3 = reshape(backend, dy, [1, cols, co]);
  const prod = run(backend, 'BatchMatMul', { a: patches, b: dy3 }, { transposeA: false, transposeB: false });
  free(backend, patches);
  free(backend, dy3);
  const out = reshape(backend, prod, [kh, kw, c, co]);
  free(backend, prod);
  return out;
}

export const conv2DBackpropFilterConfig = wasmKernel(tf.Conv2DBackpropFilter, conv2DBackpropFilterKernel);
