/**
 * Identity (and Cast to the same dtype) sharing the input's memory, as the cpu backend does,
 * instead of copying it. Tensors are immutable and the backend counts references, so sharing is
 * safe; tfjs-layers and the optimizers call Identity on every activation and weight, and the
 * copies cost ~6% of a medium CNN's training step.
 */
import * as tf from '@tensorflow/tfjs';
import { runStock, type KernelArgs, type TensorInfo, wasmKernel } from './wasm-calls';

function identityKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (x.dtype === 'string') return runStock(backend, tf.Identity, inputs, attrs);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function castKernel(args: KernelArgs<{ dtype: tf.DataType }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (x.dtype !== attrs.dtype || x.dtype === 'string') return runStock(backend, tf.Cast, inputs, attrs);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig = wasmKernel(tf.Identity, identityKernel);

export const castConfig = wasmKernel(tf.Cast, castKernel);
