/**
 * Turning Fashion-MNIST bytes into model input: normalized Float32 batches laid out as
 * [batch, 28, 28, 1] and label batches, from any list of indices (a shuffled epoch order, a
 * class-stratified probe set). Plain typed arrays with no TensorFlow.js and no Node APIs, so
 * worker threads and the browser share it.
 */

import { IMAGE_PIXELS, IMAGE_SIZE } from '../../../lib/image';

/** The tensor shape a batch of `size` images has. */
export const batchShape = (size: number): [number, number, number, number] => [size, IMAGE_SIZE, IMAGE_SIZE, 1];

/**
 * Images `indices` of `images` (count x 784 bytes) scaled to [0, 1], in a [b, 28, 28, 1] row-major
 * Float32Array. Pass `out` to reuse a buffer across steps; it must hold at least b x 784 floats.
 */
export function imageBatch(images: Uint8Array, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const size = indices.length;
  const target = out ?? new Float32Array(size * IMAGE_PIXELS);
  if (target.length < size * IMAGE_PIXELS) {
    throw new RangeError(`batch buffer holds ${target.length} floats, ${size} images need ${size * IMAGE_PIXELS}`);
  }
  const count = images.length / IMAGE_PIXELS;
  for (let b = 0; b < size; b++) {
    const index = indices[b]!;
    if (index < 0 || index >= count) throw new RangeError(`image index ${index} is outside 0-${count - 1}`);
    const src = index * IMAGE_PIXELS;
    const dst = b * IMAGE_PIXELS;
    for (let p = 0; p < IMAGE_PIXELS; p++) target[dst + p] = images[src + p]! / 255;
  }
  return target;
}

/** Labels `indices` of `labels` as int32 class indices (what sparse cross-entropy takes). */
export function labelBatch(labels: Uint8Array, indices: ArrayLike<number>, out?: Int32Array): Int32Array {
  const target = out ?? new Int32Array(indices.length);
  for (let b = 0; b < indices.length; b++) target[b] = labels[indices[b]!]!;
  return target;
}

/** Labels `indices` of `labels` one-hot encoded, [b, numClasses] row-major. */
export function oneHotBatch(labels: Uint8Array, indices: ArrayLike<number>, numClasses = 10): Float32Array {
  const target = new Float32Array(indices.length * numClasses);
  for (let b = 0; b < indices.length; b++) target[b * numClasses + labels[indices[b]!]!] = 1;
  return target;
}

/** Cuts an index order into consecutive batches; the last, shorter one is dropped when `dropLast`. */
export function* batchIndices(order: Uint32Array, batchSize: number, dropLast = false): Generator<Uint32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size ${batchSize} must be a positive integer`);
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(start + batchSize, order.length);
    if (dropLast && end - start < batchSize) return;
    yield order.subarray(start, end);
  }
}

/** Up to `perClass` indices of each class, in data order, grouped by class (for probes and grids). */
export function indicesByClass(labels: Uint8Array, perClass: number, numClasses = 10): number[][] {
  const groups: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const group = groups[labels[i]!];
    if (group && group.length < perClass) group.push(i);
  }
  return groups;
}
