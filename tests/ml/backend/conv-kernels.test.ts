import { beforeAll, describe, expect, it } from 'vitest';
import { random, setUpBackends, tf, wasmVersusCpu } from './reference';

const TOLERANCE = 1e-5;

beforeAll(setUpBackends);

// [batch, height, width, inChannels, kernelH, kernelW, outChannels, stride, padding]
type Case = [number, number, number, number, number, number, number, number, 'same' | 'valid'];
const cases: Case[] = [
  // KH*KW*C <= 64: im2col path of the filter gradient
  [2, 7, 9, 1, 3, 3, 4, 1, 'valid'],
  [2, 7, 9, 3, 3, 2, 4, 2, 'same'],
  [2, 8, 8, 5, 3, 3, 4, 3, 'valid'],
  [2, 5, 5, 1, 2, 2, 3, 2, 'valid'],
  // larger reduction: the filter gradient as a forward conv
  [3, 9, 7, 12, 3, 3, 6, 1, 'same'],
  [3, 11, 10, 20, 5, 3, 6, 2, 'valid'],
  [2, 10, 11, 9, 3, 5, 4, 2, 'same'],
  [2, 8, 8, 8, 3, 3, 5, 3, 'same'],
  [2, 9, 9, 8, 4, 4, 5, 3, 'valid'],
  [2, 6, 6, 40, 1, 1, 3, 2, 'same'],
];

describe('conv2d gradients on wasm match the cpu backend', () => {
  it.each(cases)('x [%i,%i,%i,%i], kernel %ix%i -> %i, stride %i, %s', async (n, h, w, c, kh, kw, co, s, pad) => {
    const [dx, dw] = await wasmVersusCpu(() => {
      const x = random([n, h, w, c], 1);
      const f = random([kh, kw, c, co], 2);
      const weights = random(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad).shape, 3);
      const loss = (x: tf.Tensor, f: tf.Tensor): tf.Scalar =>
        tf
          .conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad)
          .mul(weights)
          .sum();
      return tf.grads(loss)([x, f]);
    });
    expect(dx).toBeLessThan(TOLERANCE);
    expect(dw).toBeLessThan(TOLERANCE);
  });
});

describe('conv2dTranspose (forward and gradients) on wasm matches the cpu backend', () => {
  it.each(cases)('x [%i,%i,%i,%i], kernel %ix%i -> %i, stride %i, %s', async (n, h, w, c, kh, kw, co, s, pad) => {
    const errors = await wasmVersusCpu(() => {
      const x = random([n, h, w, c], 4);
      const f = random([kh, kw, co, c], 5);
      const outH = pad === 'same' ? h * s : (h - 1) * s + kh;
      const outW = pad === 'same' ? w * s : (w - 1) * s + kw;
      const up = (x: tf.Tensor, f: tf.Tensor): tf.Tensor4D =>
        tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [n, outH, outW, co], s, pad);
      const weights = random([n, outH, outW, co], 6);
      return [up(x, f), ...tf.grads((x: tf.Tensor, f: tf.Tensor) => up(x, f).mul(weights).sum())([x, f])];
    });
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });
});
