/**
 * Synthetic drawings of training images, made on first use and kept (as bytes) for later epochs:
 * sketchify costs a few milliseconds an image, too much to repeat every step, while the shifts and
 * mirrors applied afterwards still vary every epoch. Each image's drawing depends only on the seed
 * and its index, so a resumed run sees the same drawings.
 */
import type { DatasetSplit } from '../data/fashionMnist';
import { drawingRandom } from '../sketch/drawingSet';
import { imageToBytes } from '../../../lib/sketch/preprocess';
import { sketchify } from '../sketch/sketchify';
import { IMAGE_PIXELS, imageAt } from '../../../lib/image';

export class SketchCache {
  private readonly bytes: Uint8Array;
  private readonly made: Uint8Array;

  constructor(
    private readonly split: DatasetSplit,
    private readonly seed: number,
  ) {
    this.bytes = new Uint8Array(split.count * IMAGE_PIXELS);
    this.made = new Uint8Array(split.count);
  }

  /** The drawing of training image `index` as 784 bytes (0-255). */
  get(index: number): Uint8Array {
    const out = imageAt(this.bytes, index);
    if (!this.made[index]) {
      const photo = imageAt(this.split.images, index);
      out.set(imageToBytes(sketchify(photo, drawingRandom(this.seed, index))));
      this.made[index] = 1;
    }
    return out;
  }
}
