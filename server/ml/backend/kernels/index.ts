/**
 * Our kernels for the TensorFlow.js wasm backend, registered in one call. They make training
 * possible (Conv2DBackpropFilter is missing from the stock backend) and fast: the others replace
 * stock kernels that are slow on a CNN's training shapes (gradients of conv, max pooling, dense
 * layers and batch norm: Conv2DBackpropInput, MaxPoolGrad, BatchMatMul with transposes, Transpose,
 * Sum/Mean over leading axes, Tile, FusedBatchNorm, and Identity/Cast that copied). Each kernel
 * has its own file.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { captureStock } from './wasm-calls';
import { transposeConfig } from './transpose';
import { batchMatMulConfig } from './batch-mat-mul';
import { maxPoolGradConfig } from './max-pool-grad';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { meanConfig, sumConfig } from './reduce';
import { tileConfig } from './tile';
import { castConfig, identityConfig } from './identity';
import { batchNormConfig } from './batch-norm';

const ours: tf.KernelConfig[] = [
  transposeConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  identityConfig,
  castConfig,
  batchNormConfig,
];

export const FAST_WASM_KERNELS: readonly string[] = ours.map((k) => k.kernelName);

let registered = false;

/**
 * Registers our kernels for 'wasm', replacing stock ones of the same name. Idempotent. A replaced
 * kernel keeps the stock setupFunc (it binds the C++ function our kernel may still call), so this
 * works before or after the wasm backend is initialised.
 */
export function registerFastWasmKernels(): void {
  if (registered) return;
  for (const config of ours) {
    const stockConfig = captureStock(config.kernelName);
    if (stockConfig) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, setupFunc: stockConfig?.setupFunc });
  }
  registered = true;
}
