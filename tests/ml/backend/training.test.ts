import { beforeAll, describe, expect, it } from 'vitest';
import { random, setUpBackends, tf, wasmVersusCpu } from './reference';

beforeAll(setUpBackends);

/**
 * A small conv net touching every replaced kernel; seeded so both backends start equal. No bias
 * before batch norm: its true gradient is 0, and Adam would blow rounding noise up to full steps.
 */
function buildModel(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [12, 12, 1],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: init(1),
    }),
  );
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.activation({ activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(2) }));
  m.add(
    tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(3) }),
  );
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: init(4) }));
  return m;
}

describe('training on wasm with our kernels', () => {
  it('three Adam steps give the same weights as on the cpu backend', async () => {
    const errors = await wasmVersusCpu(() => {
      const model = buildModel();
      const optimizer = tf.train.adam(0.01);
      const xs = random([8, 12, 12, 1], 7);
      const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5);
      const losses: tf.Tensor[] = [];
      for (let step = 0; step < 3; step++) {
        const loss = optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
          true,
        )!;
        losses.push(loss);
      }
      const weights = model.getWeights().map((w) => w.clone());
      model.dispose();
      optimizer.dispose();
      return [tf.stack(losses), ...weights];
    });
    for (const e of errors) expect(e).toBeLessThan(1e-4);
  });
});
