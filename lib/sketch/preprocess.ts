/**
 * The one preprocessing of a drawing for the garment classifier, shared by the browser (to show the
 * image the model sees), the server (recognition) and the synthetic sketches used for training and
 * evaluation (sketchify.ts). Pure: no Node APIs and no TensorFlow.js, so app/ imports this file.
 *
 * The convention (Fashion-MNIST's, measured on its test set):
 * - 28x28 grey, row-major, Float32 in [0, 1]; the garment is BRIGHT (1) on a BLACK (0) background.
 *   A person draws dark ink on light paper; "ink" here is already inverted (1 = ink).
 * - The drawing is cropped to its ink bounds and scaled, keeping its aspect ratio, so that its
 *   longer side spans FIT_BOX pixels. Fashion-MNIST garments touch the border on their long side
 *   (median long side 28 px on the test set); FIT_BOX is 26 rather than MNIST's 20-22 so drawings
 *   have the garments' scale while the outline's own width still fits inside the frame.
 * - Anti-aliased by area averaging: each output pixel is the mean ink of the source area it covers
 *   (exact box filter, at a sub-pixel position).
 * - Placed so that its centre of mass (ink-weighted, pixel centres at i + 0.5) is at (14, 14), the
 *   centre of the field, as Fashion-MNIST was made; the shift is limited so nothing leaves the frame.
 * - Strokes are rendered at their width relative to the drawing, but never thinner than
 *   MIN_STROKE_WIDTH output pixels: a thin pen on a big canvas would otherwise fade to faint grey.
 * - The cost is bounded by the output, not by what the drawing is made of: points that pile up on
 *   one spot are dropped, pen widths are clamped to the bitmap, segments are clipped to it, and a
 *   drawing that would still take more than RASTER_BUDGET pixel visits (thousands of wide
 *   strokes crossing the whole bitmap, which only a drawing built to be slow has) is rendered on a
 *   coarser bitmap, down to 14x14, before the same area averaging.
 */
import {
  penBounds,
  rasterCost,
  rasterizeStrokes,
  type InkBitmap,
  type RasterizeOptions,
  type Stroke,
} from './rasterize';

export type { InkBitmap, Stroke } from './rasterize';

export { IMAGE_SIZE as SIDE, IMAGE_PIXELS as PIXELS } from '../image';
import { IMAGE_SIZE as SIDE, IMAGE_PIXELS as PIXELS } from '../image';
export const FIT_BOX = 26;
export const MIN_STROKE_WIDTH = 1.5;
/** Strokes are rendered at this many bitmap pixels per output pixel, then area-averaged down. */
const SUPERSAMPLE = 4;
/** Ink below this (of 1) does not count towards the drawing's bounds: stray anti-aliasing dust. */
const INK_EPS = 0.02;
/** Most pixel visits a drawing's rendering may cost (a few milliseconds). */
export const RASTER_BUDGET = 1_000_000;
/** The coarsest bitmap a drawing over budget is rendered on: half a pixel per output pixel. */
const MIN_SUPERSAMPLE = 0.5;

export interface PreprocessOptions {
  /** Long side of the drawing in output pixels. */
  box?: number;
  /** Thinnest stroke, in output pixels (strokes input only). */
  minStrokeWidth?: number;
}

/**
 * Strokes (canvas pixels) or an ink bitmap -> the 28x28 image the classifier takes, or null when
 * there is no ink at all (an empty canvas, or everything erased).
 */
export function sketchToImage28(
  input: readonly Stroke[] | InkBitmap,
  options: PreprocessOptions = {},
): Float32Array | null {
  const box = options.box ?? FIT_BOX;
  const bitmap = isBitmap(input) ? input : strokesToBitmap(input, box, options.minStrokeWidth ?? MIN_STROKE_WIDTH);
  return bitmap && fitInk(bitmap, box);
}

const isBitmap = (input: readonly Stroke[] | InkBitmap): input is InkBitmap => !Array.isArray(input);

function strokesToBitmap(strokes: readonly Stroke[], box: number, minStrokeWidth: number): InkBitmap | null {
  const plan = rasterPlan(strokes, box, minStrokeWidth);
  return plan && rasterizeStrokes(strokes, plan.raster);
}

/**
 * Where and how finely the strokes are rendered, and what it costs in pixel visits (at most
 * RASTER_BUDGET, unless even the coarsest bitmap costs more); null when there is no pen stroke.
 */
export function rasterPlan(
  strokes: readonly Stroke[],
  box: number = FIT_BOX,
  minStrokeWidth: number = MIN_STROKE_WIDTH,
): { raster: RasterizeOptions; cost: number; supersample: number } | null {
  const b = penBounds(strokes);
  if (!b) return null;
  const long = Math.max(b.x1 - b.x0, b.y1 - b.y0);
  if (!(long > 0)) return null;
  const layout = (supersample: number): RasterizeOptions => {
    const scale = (box * supersample) / long;
    const minWidth = minStrokeWidth * supersample;
    // The minimum width may widen strokes past the pen bounds; leave room for it.
    const margin = Math.ceil(minWidth / 2) + 2;
    return {
      scale,
      minWidth,
      originX: b.x0 - margin / scale,
      originY: b.y0 - margin / scale,
      width: Math.ceil((b.x1 - b.x0) * scale) + 2 * margin,
      height: Math.ceil((b.y1 - b.y0) * scale) + 2 * margin,
    };
  };
  let supersample = SUPERSAMPLE;
  let raster = layout(supersample);
  let cost = rasterCost(strokes, raster);
  // Cost falls with the square of the resolution, roughly: shrink until within budget.
  for (let tries = 0; tries < 4 && cost > RASTER_BUDGET && supersample > MIN_SUPERSAMPLE; tries++) {
    supersample = Math.max(MIN_SUPERSAMPLE, supersample * Math.sqrt(RASTER_BUDGET / cost) * 0.9);
    raster = layout(supersample);
    cost = rasterCost(strokes, raster);
  }
  return { raster, cost, supersample };
}

/** Crop to the ink, scale into the box (area averaging), centre the mass. */
export function fitInk(bitmap: InkBitmap, box: number = FIT_BOX): Float32Array | null {
  const { width: w, height: h } = bitmap;
  if (bitmap.ink.length !== w * h)
    throw new RangeError(`ink bitmap has ${bitmap.ink.length} pixels, ${w}x${h} needs ${w * h}`);
  const unit = bitmap.ink instanceof Float32Array ? 1 : 1 / 255;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (bitmap.ink[y * w + x]! * unit > INK_EPS) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const crop = new Float32Array(cw * ch);
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const v = Math.min(1, Math.max(0, bitmap.ink[(y + y0) * w + x + x0]! * unit));
      crop[y * cw + x] = v;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const s = box / Math.max(cw, ch);
  const centre = SIDE / 2;
  const place = (com: number, size: number): number =>
    Math.min(SIDE - size * s, Math.max(0, centre - (com / mass) * s));
  const wx = areaWeights(cw, s, place(mx, cw));
  const wy = areaWeights(ch, s, place(my, ch));
  return resample(crop, cw, ch, wx, wy);
}

/**
 * For one axis: source pixel j covers [offset + j*s, offset + (j+1)*s) in output pixels; the weight
 * of (output i, source j) is the length of their overlap. Stored as SIDE rows of n weights.
 */
function areaWeights(n: number, s: number, offset: number): Float32Array {
  const weights = new Float32Array(SIDE * n);
  for (let j = 0; j < n; j++) {
    const a = offset + j * s;
    const b = a + s;
    for (let i = Math.max(0, Math.floor(a)); i < Math.min(SIDE, Math.ceil(b)); i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 0) weights[i * n + j] = overlap;
    }
  }
  return weights;
}

function resample(crop: Float32Array, cw: number, ch: number, wx: Float32Array, wy: Float32Array): Float32Array {
  // Columns first: rows[j][k] = sum over l of crop[j][l] * wx[k][l].
  const rows = new Float32Array(ch * SIDE);
  for (let k = 0; k < SIDE; k++) {
    for (let l = 0; l < cw; l++) {
      const wgt = wx[k * cw + l]!;
      if (wgt === 0) continue;
      for (let j = 0; j < ch; j++) rows[j * SIDE + k] += crop[j * cw + l]! * wgt;
    }
  }
  const out = new Float32Array(PIXELS);
  for (let i = 0; i < SIDE; i++) {
    for (let j = 0; j < ch; j++) {
      const wgt = wy[i * ch + j]!;
      if (wgt === 0) continue;
      for (let k = 0; k < SIDE; k++) out[i * SIDE + k] += rows[j * SIDE + k]! * wgt;
    }
  }
  for (let p = 0; p < PIXELS; p++) out[p] = Math.min(1, out[p]!);
  return out;
}

/**
 * A canvas's RGBA pixels as ink: opaque dark paint is ink, white or transparent paper is not
 * (ink = alpha x darkness), so both a transparent Konva layer and a white canvas work.
 */
export function inkFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): InkBitmap {
  const ink = new Float32Array(width * height);
  for (let p = 0; p < ink.length; p++) {
    const o = p * 4;
    const luminance = (0.299 * rgba[o]! + 0.587 * rgba[o + 1]! + 0.114 * rgba[o + 2]!) / 255;
    ink[p] = (rgba[o + 3]! / 255) * (1 - luminance);
  }
  return { width, height, ink };
}

/** Ink-weighted centre of a 28x28 image, pixel centres at i + 0.5; null for a black image. */
export function centreOfMass(image: ArrayLike<number>): { x: number; y: number } | null {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let p = 0; p < PIXELS; p++) {
    const v = image[p]!;
    mass += v;
    x += v * ((p % SIDE) + 0.5);
    y += v * (Math.floor(p / SIDE) + 0.5);
  }
  return mass > 0 ? { x: x / mass, y: y / mass } : null;
}

/** Float image in [0, 1] -> bytes 0-255 (IDX files, PNGs, the database). */
export function imageToBytes(image: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let p = 0; p < out.length; p++) out[p] = Math.round(Math.min(1, Math.max(0, image[p]!)) * 255);
  return out;
}
