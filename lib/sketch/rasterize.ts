/**
 * Strokes as drawn on a canvas (polylines with a pen width, in canvas pixels) rendered into an ink
 * bitmap: round-capped thick lines, anti-aliased by coverage, pen strokes adding ink and eraser
 * strokes removing it, in drawing order. Pure (no Node APIs, no TensorFlow.js): the browser runs it.
 */

/** One stroke: points as a flat [x0, y0, x1, y1, ...] list in canvas pixels, and the pen's width. */
export interface Stroke {
  points: number[];
  width: number;
  /** 'eraser' strokes remove ink drawn before them. Default 'pen'. */
  tool?: 'pen' | 'eraser';
}

/** A grey image where 1 (or 255 for bytes) is full ink and 0 is empty paper. Row-major. */
export interface InkBitmap {
  width: number;
  height: number;
  ink: Float32Array | Uint8Array | Uint8ClampedArray;
}

export interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Extent of the pen strokes (each point widened by half the pen width); null when there is no pen stroke. */
export function penBounds(strokes: readonly Stroke[]): Bounds | null {
  let b: Bounds | null = null;
  for (const s of strokes) {
    if (s.tool === 'eraser') continue;
    const r = s.width / 2;
    for (let i = 0; i + 1 < s.points.length; i += 2) {
      const x = s.points[i]!;
      const y = s.points[i + 1]!;
      if (!b) b = { x0: x - r, y0: y - r, x1: x + r, y1: y + r };
      else {
        b.x0 = Math.min(b.x0, x - r);
        b.y0 = Math.min(b.y0, y - r);
        b.x1 = Math.max(b.x1, x + r);
        b.y1 = Math.max(b.y1, y + r);
      }
    }
  }
  return b;
}

export interface RasterizeOptions {
  /** Canvas pixels to bitmap pixels. */
  scale: number;
  /** Every stroke is at least this wide, in bitmap pixels (a thin pen on a big canvas stays visible). */
  minWidth: number;
  /** Canvas point that lands on the bitmap's top-left corner. */
  originX: number;
  originY: number;
  width: number;
  height: number;
}

/** Renders the strokes; coverage of each pixel by a stroke is its anti-aliased ink. */
export function rasterizeStrokes(strokes: readonly Stroke[], o: RasterizeOptions): InkBitmap {
  const ink = new Float32Array(o.width * o.height);
  for (const s of strokes) {
    const r = Math.max(s.width * o.scale, o.minWidth) / 2;
    const erase = s.tool === 'eraser';
    const n = s.points.length >> 1;
    const px = (i: number): number => (s.points[2 * i]! - o.originX) * o.scale;
    const py = (i: number): number => (s.points[2 * i + 1]! - o.originY) * o.scale;
    if (n === 1) paintSegment(ink, o.width, o.height, px(0), py(0), px(0), py(0), r, erase);
    for (let i = 0; i + 1 < n; i++) paintSegment(ink, o.width, o.height, px(i), py(i), px(i + 1), py(i + 1), r, erase);
  }
  return { width: o.width, height: o.height, ink };
}

/**
 * One capsule (segment with round ends, radius r). Long segments are cut into pieces about 2r long
 * so each piece only visits pixels near it, keeping the cost proportional to the inked area.
 */
function paintSegment(
  ink: Float32Array,
  w: number,
  h: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: number,
  erase: boolean,
): void {
  const len = Math.hypot(bx - ax, by - ay);
  const pieces = Math.max(1, Math.ceil(len / Math.max(2 * r, 4)));
  for (let p = 0; p < pieces; p++) {
    const t0 = p / pieces;
    const t1 = (p + 1) / pieces;
    paintCapsule(ink, w, h, ax + (bx - ax) * t0, ay + (by - ay) * t0, ax + (bx - ax) * t1, ay + (by - ay) * t1, r, erase);
  }
}

function paintCapsule(
  ink: Float32Array,
  w: number,
  h: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: number,
  erase: boolean,
): void {
  const reach = r + 1;
  const xMin = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const xMax = Math.min(w - 1, Math.ceil(Math.max(ax, bx) + reach));
  const yMin = Math.max(0, Math.floor(Math.min(ay, by) - reach));
  const yMax = Math.min(h - 1, Math.ceil(Math.max(ay, by) + reach));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const outer = (r + 0.5) * (r + 0.5);
  for (let y = yMin; y <= yMax; y++) {
    const cy = y + 0.5;
    for (let x = xMin; x <= xMax; x++) {
      const cx = x + 0.5;
      let t = len2 === 0 ? 0 : ((cx - ax) * dx + (cy - ay) * dy) / len2;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (ax + t * dx);
      const ey = cy - (ay + t * dy);
      const d2 = ex * ex + ey * ey;
      if (d2 >= outer) continue;
      // Coverage of a pixel by the edge, approximated by its distance: a 1-pixel linear ramp.
      const d = Math.sqrt(d2);
      const cover = r + 0.5 - d > 1 ? 1 : r + 0.5 - d;
      const i = y * w + x;
      if (erase) {
        if (1 - cover < ink[i]!) ink[i] = 1 - cover;
      } else if (cover > ink[i]!) ink[i] = cover;
    }
  }
}
