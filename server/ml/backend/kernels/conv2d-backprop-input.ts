/**
 * Conv2DBackpropInput: the input gradient of a conv, and also the forward pass of conv2dTranspose
 * (a VAE decoder's upsampling layers).
 *
 * With stride 1 it is one forward Conv2D of dy with the filter flipped in space and its channel
 * axes swapped. With stride s, the output rows split into s phases by (h + padTop) mod s; each phase
 * only meets the filter taps kh = phase + s*j, so each (row phase, column phase) pair is one
 * stride-1 Conv2D with a small sub-filter (sub-pixel decomposition), scattered into its rows and
 * columns of dx. That avoids convolving a zero-dilated dy, which wastes s*s of the work.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, conv2dPadded, f32, free, forwardConvInfo, wasmKernel } from './wasm-calls';
import type { Backend, ConvAttrs, KernelArgs, TensorInfo } from './wasm-calls';

type Attrs = ConvAttrs & { inputShape: [number, number, number, number] };

/** How one phase r of one spatial axis maps onto a stride-1 conv. */
type Phase = {
  taps: number; // J: filter taps k = r + s*j, j < J
  first: number; // first q; output index h = q*s + r - pad
  count: number; // number of output rows of this phase
  padBefore: number; // conv padding (negative: crop)
  padAfter: number;
};

export function phaseOf(r: number, s: number, k: number, pad: number, inSize: number, dySize: number): Phase {
  const taps = r < k ? Math.ceil((k - r) / s) : 0;
  const first = Math.ceil((pad - r) / s);
  const last = Math.floor((inSize - 1 + pad - r) / s);
  const count = Math.max(0, last - first + 1);
  // Output i of the phase reads dy rows q-(J-1) .. q with q = first + i.
  const padBefore = taps - 1 - first;
  const padAfter = count - dySize - padBefore + taps - 1;
  return { taps, first, count, padBefore, padAfter };
}

function conv2DBackpropInputKernel(args: KernelArgs<Attrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy!;
  const filter = inputs.filter!;
  const info = forwardConvInfo('Conv2DBackpropInput', attrs, attrs.inputShape, filter.shape);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [dyH, dyW] = [dy.shape[1]!, dy.shape[2]!];
  const rowPhases = Array.from({ length: sh }, (_, r) => phaseOf(r, sh, kh, info.padInfo.top, h, dyH));
  const colPhases = Array.from({ length: sw }, (_, r) => phaseOf(r, sw, kw, info.padInfo.left, w, dyW));

  if (sh === 1 && sw === 1) {
    const sub = subFilter(backend, filter, 0, 0, 1, 1, kh, kw);
    const dx = runPhase(backend, dy, sub, rowPhases[0]!, colPhases[0]!);
    free(backend, sub);
    return dx;
  }

  const dx = alloc(backend, [n, h, w, c]);
  let covered = 0;
  const parts: { out: TensorInfo; rp: number; cp: number }[] = [];
  for (let rp = 0; rp < sh; rp++) {
    for (let cp = 0; cp < sw; cp++) {
      const row = rowPhases[rp]!;
      const col = colPhases[cp]!;
      if (row.count === 0 || col.count === 0 || row.taps === 0 || col.taps === 0) continue;
      const sub = subFilter(backend, filter, rp, cp, sh, sw, row.taps, col.taps);
      parts.push({ out: runPhase(backend, dy, sub, row, col), rp, cp });
      covered += row.count * col.count;
      free(backend, sub);
    }
  }
  // Views only now: the convs above may have grown the wasm memory.
  const dxv = f32(backend, dx);
  if (covered < h * w) dxv.fill(0);
  for (const { out, rp, cp } of parts) {
    const row = rowPhases[rp]!;
    const col = colPhases[cp]!;
    const ov = f32(backend, out);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < row.count; i++) {
        const y = (row.first + i) * sh + rp - info.padInfo.top;
        const rowBase = (b * h + y) * w;
        for (let j = 0; j < col.count; j++, o += c) {
          const x = (col.first + j) * sw + cp - info.padInfo.left;
          const at = (rowBase + x) * c;
          for (let ch = 0; ch < c; ch++) dxv[at + ch] = ov[o + ch]!;
        }
      }
    }
    free(backend, out);
  }
  return dx;
}

/** One phase as a stride-1 conv of dy: [N, rows of the phase, cols of the phase, C]. */
function runPhase(backend: Backend, dy: TensorInfo, sub: TensorInfo, row: Phase, col: Phase): TensorInfo {
  return conv2dPadded(backend, dy, sub, {
    top: row.padBefore,
    bottom: row.padAfter,
    left: col.padBefore,
    right: col.padAfter,
  });
}

/**
 * The sub-filter of phase (rp, cp), flipped in space with channel axes swapped:
 * sub[a, b, co, c] = W[rp + sh*(J-1-a), cp + sw*(L-1-b), c, co].
 */
function subFilter(
  backend: Backend,
  filter: TensorInfo,
  rp: number,
  cp: number,
  sh: number,
  sw: number,
  taps: number,
  tapsW: number,
): TensorInfo {
  const [, kw, c, co] = filter.shape as [number, number, number, number];
  const sub = alloc(backend, [taps, tapsW, co, c]);
  const wv = f32(backend, filter);
  const sv = f32(backend, sub);
  let o = 0;
  for (let a = 0; a < taps; a++) {
    const fr = rp + sh * (taps - 1 - a);
    for (let b = 0; b < tapsW; b++) {
      const fc = cp + sw * (tapsW - 1 - b);
      const base = (fr * kw + fc) * c * co;
      for (let oc = 0; oc < co; oc++) {
        for (let ic = 0; ic < c; ic++) sv[o++] = wv[base + ic * co + oc]!;
      }
    }
  }
  return sub;
}

export const conv2DBackpropInputConfig = wasmKernel(tf.Conv2DBackpropInput, conv2DBackpropInputKernel);
