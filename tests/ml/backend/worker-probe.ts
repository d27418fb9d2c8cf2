/**
 * Runs inside a worker thread for worker.test.ts: initialises the backend there and posts back
 * what it chose and a conv filter gradient (the kernel wasm lacks without ours).
 */
import { parentPort } from 'node:worker_threads';
import { initBackend, tf } from '../../../server/ml/backend';

const info = await initBackend();
const grad = tf.grad((f: tf.Tensor) =>
  tf.conv2d(tf.ones([2, 5, 5, 3]) as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum(),
);
const sum = grad(tf.ones([3, 3, 3, 4]))
  .sum()
  .dataSync()[0];
parentPort!.postMessage({ info, active: tf.getBackend(), sum });
