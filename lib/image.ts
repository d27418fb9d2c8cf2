/**
 * The one image shape: Fashion-MNIST images (and drawings after preprocessing) are 28x28 grey,
 * stored row-major, one value per pixel (bytes 0-255 or floats in [0, 1]), many of them back to
 * back in one array. Browser-safe.
 */
export const IMAGE_SIZE = 28;
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Image `index` of a set of images stored back to back (a view, not a copy). */
export function imageAt<T extends Uint8Array | Float32Array>(images: T, index: number): T {
  return images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS) as T;
}

/** Images `start` to `start + count` of such a set (a view, not a copy). */
export function imagesFrom<T extends Uint8Array | Float32Array>(images: T, start: number, count: number): T {
  return images.subarray(start * IMAGE_PIXELS, (start + count) * IMAGE_PIXELS) as T;
}
