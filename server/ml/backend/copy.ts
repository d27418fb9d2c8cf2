/**
 * Copies tensors' values, one after another, into a caller's Float32Array (the training loop's
 * shared gradient slot): on wasm straight from the backend's heap, one copy; elsewhere through
 * dataSync, which copies into a fresh array first.
 */
import * as tf from '@tensorflow/tfjs';

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** Writes the tensors' values from `out[0]` on; returns how many floats were written. */
export function copyInto(tensors: readonly tf.Tensor[], out: Float32Array): number {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as HeapBackend) : undefined;
  let offset = 0;
  for (const t of tensors) {
    const data = backend && t.dtype === 'float32' ? backend.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
    out.set(data, offset);
    offset += data.length;
  }
  return offset;
}
