/**
 * Images as plain RGBA pixel arrays: grey images (Float32 in [0, 1] or bytes 0-255) scaled up,
 * labelled grids of many 28x28 images, and caption text from the bitmap font. Pure (no Node
 * APIs, no TensorFlow.js), so the browser can put the result straight into an ImageData.
 */
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel, textWidth } from './font';

export interface RgbaImage {
  width: number;
  height: number;
  /** width x height x 4 bytes, row-major, RGBA. */
  data: Uint8ClampedArray;
}

export type Rgb = readonly [number, number, number];

/**
 * Grey pixels, row-major. Byte arrays hold 0-255; float arrays (and plain number arrays) hold
 * [0, 1], values outside are clamped.
 */
export type GreyPixels = Uint8Array | Uint8ClampedArray | Float32Array | Float64Array | readonly number[];

const isBytes = (p: GreyPixels): boolean => p instanceof Uint8Array || p instanceof Uint8ClampedArray;

export function createImage(width: number, height: number, background: Rgb = [0, 0, 0]): RgbaImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size ${width}x${height} must be positive integers`);
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = background[0];
    data[i + 1] = background[1];
    data[i + 2] = background[2];
    data[i + 3] = 255;
  }
  return { width, height, data };
}

export function fillRect(img: RgbaImage, x0: number, y0: number, w: number, h: number, color: Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(img.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x0 + w); x++) {
      const o = (y * img.width + x) * 4;
      img.data[o] = color[0];
      img.data[o + 1] = color[1];
      img.data[o + 2] = color[2];
      img.data[o + 3] = 255;
    }
  }
}

/** Draws a w x h grey image at (x0, y0), each pixel as a scale x scale block. */
export function drawGrey(
  img: RgbaImage,
  pixels: GreyPixels,
  w: number,
  h: number,
  x0: number,
  y0: number,
  scale = 1,
  invert = false,
): void {
  if (pixels.length < w * h) throw new RangeError(`grey image has ${pixels.length} pixels, ${w}x${h} needs ${w * h}`);
  const factor = isBytes(pixels) ? 1 : 255;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = Math.round(Math.min(255, Math.max(0, pixels[y * w + x]! * factor)));
      if (invert) v = 255 - v;
      fillRect(img, x0 + x * scale, y0 + y * scale, scale, scale, [v, v, v]);
    }
  }
}

/** Draws ASCII `text` with its top-left corner at (x0, y0). */
export function drawText(img: RgbaImage, text: string, x0: number, y0: number, color: Rgb, scale = 1): void {
  for (let i = 0; i < text.length; i++) {
    for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        if (glyphPixel(text[i]!, gx, gy))
          fillRect(img, x0 + (i * GLYPH_ADVANCE + gx) * scale, y0 + gy * scale, scale, scale, color);
      }
    }
  }
}

/** One grey image as RGBA, each pixel a scale x scale block. */
export function greyToRgba(pixels: GreyPixels, width: number, height: number, scale = 1): RgbaImage {
  const img = createImage(width * scale, height * scale);
  drawGrey(img, pixels, width, height, 0, 0, scale);
  return img;
}

export interface GridOptions {
  /** Images per row. */
  cols: number;
  /** Side of each (square) tile in source pixels. */
  tileSize?: number;
  /** Each source pixel becomes scale x scale output pixels. */
  scale?: number;
  /** Output pixels between tiles and around the grid. */
  padding?: number;
  /** A caption per row, drawn left of the row (e.g. the class name). */
  rowCaptions?: readonly string[];
  /** Size multiplier of the 5x7 caption font; default 2 when tiles are at least 42 pixels tall, else 1. */
  captionScale?: number;
  /** A colour bar per row, drawn left of the row (e.g. the predicted class being right or wrong). */
  rowColors?: readonly (Rgb | null)[];
  background?: Rgb;
  captionColor?: Rgb;
  /** Dark garments on a light background instead of Fashion-MNIST's light on dark. */
  invert?: boolean;
}

/**
 * Lays out images (one array of tileSize^2 pixels each, or one flat array of n images) in a grid,
 * row-major, with optional row captions and colour bars.
 */
export function imageGrid(images: GreyPixels | readonly GreyPixels[], options: GridOptions): RgbaImage {
  const side = options.tileSize ?? 28;
  const scale = options.scale ?? 1;
  const pad = options.padding ?? 2;
  const tiles: GreyPixels[] = isFlat(images) ? splitFlat(images, side * side) : [...images];
  if (tiles.length === 0) throw new RangeError('an image grid needs at least one image');
  const cols = Math.min(options.cols, tiles.length);
  if (!Number.isInteger(cols) || cols < 1)
    throw new RangeError(`grid columns ${options.cols} must be a positive integer`);
  const rows = Math.ceil(tiles.length / cols);
  const tile = side * scale;
  const captions = options.rowCaptions ?? [];
  const captionScale = options.captionScale ?? (tile >= 42 ? 2 : 1);
  const captionWidth = captions.length ? Math.max(...captions.map((c) => textWidth(c, captionScale))) + pad : 0;
  const barWidth = options.rowColors?.length ? Math.max(3, Math.round(tile / 6)) + pad : 0;
  const left = pad + captionWidth + barWidth;
  const img = createImage(left + cols * (tile + pad), pad + rows * (tile + pad), options.background ?? [32, 32, 32]);
  for (let r = 0; r < rows; r++) {
    const y = pad + r * (tile + pad);
    const caption = captions[r];
    if (caption) {
      const cy = y + Math.floor((tile - GLYPH_HEIGHT * captionScale) / 2);
      drawText(img, caption, pad, cy, options.captionColor ?? [230, 230, 230], captionScale);
    }
    const color = options.rowColors?.[r];
    if (color) fillRect(img, pad + captionWidth, y, barWidth - pad, tile, color);
  }
  tiles.forEach((pixels, i) => {
    const x = left + (i % cols) * (tile + pad);
    const y = pad + Math.floor(i / cols) * (tile + pad);
    drawGrey(img, pixels, side, side, x, y, scale, options.invert);
  });
  return img;
}

function isFlat(images: GreyPixels | readonly GreyPixels[]): images is GreyPixels {
  return !Array.isArray(images) || typeof images[0] === 'number';
}

function splitFlat(pixels: GreyPixels, size: number): GreyPixels[] {
  if (pixels.length % size !== 0)
    throw new RangeError(`${pixels.length} pixels are not a whole number of ${size}-pixel images`);
  const out: GreyPixels[] = [];
  for (let start = 0; start < pixels.length; start += size) {
    out.push(
      Array.isArray(pixels) ? pixels.slice(start, start + size) : (pixels as Uint8Array).subarray(start, start + size),
    );
  }
  return out;
}
