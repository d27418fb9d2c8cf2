/**
 * Cheap, label-preserving augmentation for 28x28 garments: a random shift of up to `maxShift`
 * pixels (zeros shifted in, as the background is black) and a horizontal mirror. Works on plain
 * typed arrays so it runs inside replica workers before anything reaches TensorFlow.js.
 */
import { IMAGE_PIXELS as PIXELS, IMAGE_SIZE as SIDE } from '../../../lib/image';

export interface AugmentOptions {
  maxShift: number;
  flip: boolean;
}

/** Augments `count` images of `src` (floats, 784 each) into `dst` in place of a copy. */
export function augmentBatch(src: Float32Array, dst: Float32Array, count: number, rand: () => number, opts: AugmentOptions): void {
  const span = 2 * opts.maxShift + 1;
  for (let n = 0; n < count; n++) {
    const dx = Math.floor(rand() * span) - opts.maxShift;
    const dy = Math.floor(rand() * span) - opts.maxShift;
    const mirror = opts.flip && rand() < 0.5;
    const base = n * PIXELS;
    for (let y = 0; y < SIDE; y++) {
      const sy = y - dy;
      for (let x = 0; x < SIDE; x++) {
        const sx0 = x - dx;
        const sx = mirror ? SIDE - 1 - sx0 : sx0;
        dst[base + y * SIDE + x] = sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE ? src[base + sy * SIDE + sx]! : 0;
      }
    }
  }
}
