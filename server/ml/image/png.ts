/**
 * PNG encoding and decoding (pngjs) for the RGBA images of raster.ts: files and data URLs for the
 * browser, and decoding so tests can look at what was written. Node only; the browser uses the
 * pure raster module with a canvas instead.
 */
import { PNG } from 'pngjs';
import { greyToRgba, imageGrid, type GreyPixels, type GridOptions, type RgbaImage } from './raster';

/** RGBA image to PNG bytes; written as greyscale when every pixel is grey and opaque (smaller files). */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: isOpaqueGrey(image) ? 0 : 6 });
}

/** A w x h grey image (Float32 in [0, 1] or bytes) to PNG, each pixel a scale x scale block. */
export const encodeGreyPng = (pixels: GreyPixels, width: number, height: number, scale = 1): Buffer =>
  encodePng(greyToRgba(pixels, width, height, scale));

/** A labelled grid of images (see imageGrid) to PNG. */
export const encodeGridPng = (images: GreyPixels | readonly GreyPixels[], options: GridOptions): Buffer =>
  encodePng(imageGrid(images, options));

export const pngDataUrl = (png: Uint8Array): string => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

/** PNG bytes to RGBA (any PNG colour type). */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes));
  return {
    width: png.width,
    height: png.height,
    data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength),
  };
}

/** The grey level (red channel) of every pixel of a decoded image, row-major. */
export function greyLevels(image: RgbaImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i * 4]!;
  return out;
}

function isOpaqueGrey(image: RgbaImage): boolean {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] !== d[i + 1] || d[i] !== d[i + 2] || d[i + 3] !== 255) return false;
  }
  return true;
}
