/**
 * Cheap, label-preserving augmentation for 28x28 garments: a random shift of up to `maxShift`
 * pixels (zeros shifted in, as the background is black) and a horizontal mirror. Works on plain
 * typed arrays so it runs inside replica workers before anything reaches TensorFlow.js.
 */
import { IMAGE_PIXELS as PIXELS, IMAGE_SIZE as SIDE } from '../../../lib/image';

export interface AugmentOptions {
  maxShift: number;
  flip: boolean;
  /**
   * Probability of random erasing (Zhong et al. 2020) per image: a rectangle of 2-25 % of the
   * image, aspect ratio 0.3-3.3, filled with uniform noise. 0 or unset: none (and no random draws,
   * so runs without it see the same shifts and mirrors as before).
   */
  eraseProb?: number;
}

/** Random erasing of one 28x28 image at `base` of `img`, in place. */
export function eraseRandomRectangle(img: Float32Array, base: number, rand: () => number): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = (0.02 + 0.23 * rand()) * PIXELS;
    const aspect = Math.exp(Math.log(0.3) + (Math.log(3.3) - Math.log(0.3)) * rand());
    const h = Math.round(Math.sqrt(area * aspect));
    const w = Math.round(Math.sqrt(area / aspect));
    if (h < 1 || w < 1 || h > SIDE || w > SIDE) continue;
    const y0 = Math.floor(rand() * (SIDE - h + 1));
    const x0 = Math.floor(rand() * (SIDE - w + 1));
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img[base + y * SIDE + x] = rand();
    return;
  }
}

/** Augments `count` images of `src` (floats, 784 each) into `dst` in place of a copy. */
export function augmentBatch(
  src: Float32Array,
  dst: Float32Array,
  count: number,
  rand: () => number,
  opts: AugmentOptions,
): void {
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
    if (opts.eraseProb && rand() < opts.eraseProb) eraseRandomRectangle(dst, base, rand);
  }
}
