import { beforeAll, describe, expect, it } from 'vitest';
import { random, setUpBackends, tf, wasmVersusCpu } from './reference';

const TOLERANCE = 1e-5;

beforeAll(setUpBackends);

describe('maxPool gradient on wasm matches the cpu backend', () => {
  // [n, h, w, c, pool, stride, padding]; the ReLU makes ties, which must go to the same position.
  it.each([
    [2, 7, 9, 3, 2, 2, 'valid'],
    [2, 8, 8, 4, 2, 2, 'same'],
    [2, 7, 9, 3, 2, 2, 'same'],
    [2, 7, 9, 3, 3, 2, 'same'],
    [2, 8, 8, 4, 3, 3, 'same'],
    [2, 9, 8, 5, 2, 1, 'valid'],
    [1, 6, 5, 2, 3, 1, 'same'],
  ] as const)('x [%i,%i,%i,%i], pool %i, stride %i, %s', async (n, h, w, c, k, s, pad) => {
    const [dx] = await wasmVersusCpu(() => {
      const x = tf.relu(random([n, h, w, c], 1));
      const weights = random(tf.maxPool(x as tf.Tensor4D, k, s, pad).shape, 2);
      return [
        tf.grad((x: tf.Tensor) =>
          tf
            .maxPool(x as tf.Tensor4D, k, s, pad)
            .mul(weights)
            .sum(),
        )(x),
      ];
    });
    // Overlapping windows add in a different order than the cpu kernel; a misplaced tie would be O(1).
    expect(dx).toBeLessThan(TOLERANCE);
  });
});

describe('matMul with transposes on wasm matches the cpu backend', () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('transposeA %s, transposeB %s (with gradients)', async (ta, tb) => {
    const errors = await wasmVersusCpu(() => {
      const a = random(ta ? [3, 7, 5] : [3, 5, 7], 1);
      const b = random(tb ? [3, 4, 7] : [3, 7, 4], 2);
      const weights = random([3, 5, 4], 3);
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.matMul(a, b, ta, tb);
      return [f(a, b), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).mul(weights).sum())([a, b])];
    });
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });

  it('dense-layer shapes: x^T g and g W^T', async () => {
    const errors = await wasmVersusCpu(() => {
      const x = random([33, 70], 1);
      const g = random([33, 17], 2);
      const w = random([70, 17], 3);
      return [tf.matMul(x, g, true, false), tf.matMul(g, w, false, true)];
    });
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });
});

describe('transpose on wasm matches the cpu backend', () => {
  it.each([
    { shape: [4, 5], perm: [1, 0] },
    { shape: [40, 70], perm: [1, 0] },
    { shape: [2, 3, 4], perm: [0, 2, 1] },
    { shape: [2, 3, 4], perm: [2, 0, 1] },
    { shape: [2, 3, 4], perm: [1, 0, 2] },
    { shape: [5, 6, 7, 8], perm: [3, 1, 2, 0] },
    { shape: [5, 6, 7, 8], perm: [1, 2, 0, 3] },
    { shape: [5, 6, 7, 8], perm: [0, 2, 1, 3] },
    { shape: [5, 6, 7, 80], perm: [2, 3, 0, 1] },
    { shape: [2, 1, 4, 5], perm: [3, 2, 1, 0] },
    { shape: [70, 3, 65, 2], perm: [2, 1, 0, 3] },
    { shape: [3, 4, 5, 6], perm: [0, 1, 2, 3] },
  ])('shape $shape, perm $perm', async ({ shape, perm }) => {
    const [e] = await wasmVersusCpu(() => [tf.transpose(random(shape, 1), perm)]);
    expect(e).toBe(0);
  });

  it('int32 tensors still transpose (stock kernel)', async () => {
    const [e] = await wasmVersusCpu(() => [tf.transpose(tf.range(0, 24, 1, 'int32').reshape([2, 3, 4]), [2, 0, 1])]);
    expect(e).toBe(0);
  });
});

describe('sum and mean on wasm match the cpu backend', () => {
  it.each([
    [[6, 5, 4, 3], [0, 1, 2], false],
    [[6, 5, 4, 3], [0, 1, 2], true],
    [[6, 5, 4, 3], [0], false],
    [[6, 5, 4, 3], [1, 2], false],
    [[6, 5, 4, 3], [0, 2], true],
    [[6, 5, 4, 3], [3], false],
    [[6, 5, 4, 3], [0, 1, 2, 3], false],
    [[1, 5, 3], [0], false],
    [[33, 70], [0], false],
  ] as [number[], number[], boolean][])('shape %j, axes %j, keepDims %s', async (shape, axes, keepDims) => {
    const errors = await wasmVersusCpu(() => {
      const x = random(shape, 1);
      return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
    });
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });
});

describe('tile on wasm matches the cpu backend', () => {
  it.each([
    { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1] },
    { shape: [2, 3], reps: [3, 2] },
    { shape: [2, 1, 3], reps: [1, 5, 1] },
    { shape: [4], reps: [7] },
    { shape: [2, 3, 4, 5], reps: [1, 1, 1, 1] },
    { shape: [2, 3, 1, 2], reps: [2, 1, 3, 2] },
  ])('shape $shape, reps $reps', async ({ shape, reps }) => {
    const [e] = await wasmVersusCpu(() => [tf.tile(random(shape, 1), reps)]);
    expect(e).toBe(0);
  });
});

describe('a batch-normalization layer step on wasm matches the cpu backend', () => {
  it('forward and gradients of moments + batchNorm + softmax cross-entropy', async () => {
    const errors = await wasmVersusCpu(() => {
      const x = random([4, 5, 6, 7], 1);
      const gamma = random([7], 2);
      const beta = random([7], 3);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 2], 'int32'), 7);
      const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const y = tf.batchNorm(x, mean, variance, beta, gamma, 1e-3).relu().mean([1, 2]);
        return tf.losses.softmaxCrossEntropy(labels, y);
      };
      return [loss(x, gamma, beta), ...tf.grads(loss)([x, gamma, beta])];
    });
    for (const e of errors) expect(e).toBeLessThan(1e-5);
  });
});

describe('batch normalization (inference form) on wasm matches the cpu backend', () => {
  it.each([
    ['scale and offset', true, true],
    ['no scale', false, true],
    ['no offset', true, false],
  ])('%s', async (_, withScale, withOffset) => {
    const [e] = await wasmVersusCpu(() => {
      const x = random([3, 5, 4, 6], 1);
      const variance = tf.randomUniform([6], 0.1, 2, 'float32', 2);
      const scale = withScale ? random([6], 3) : undefined;
      const offset = withOffset ? random([6], 4) : undefined;
      return [tf.batchNorm(x, random([6], 5), variance, offset, scale, 1e-3)];
    });
    expect(e).toBeLessThan(1e-5);
  });

  it('parameters broadcast from [1,1,1,C] and a rank-2 input', async () => {
    const [a, b] = await wasmVersusCpu(() => [
      tf.batchNorm(random([2, 3, 4, 5], 1), random([1, 1, 1, 5], 2), tf.ones([1, 1, 1, 5]), random([1, 1, 1, 5], 3)),
      tf.batchNorm(random([7, 5], 1), random([5], 2), tf.ones([5]).mul(0.5)),
    ]);
    expect(a).toBeLessThan(1e-5);
    expect(b).toBeLessThan(1e-5);
  });
});
