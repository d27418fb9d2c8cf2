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

/**
 * A point closer than this (bitmap pixels) to the last one kept adds nothing visible (a 4x
 * supersampled bitmap: 1/16 of an output pixel) and is skipped. A mouse's points are ~0.5 bitmap
 * pixels apart at the usual scale; thousands of points piled on one spot collapse to one.
 */
const SIMPLIFY_PX = 0.25;

/**
 * One stroke in bitmap pixels, ready to paint: radius clamped to the bitmap (a pen wider than the
 * bitmap paints the same as one as wide), points that add nothing dropped, and every segment clipped
 * to the part of it that can reach the bitmap.
 */
interface Prepared {
  r: number;
  erase: boolean;
  /** Segments as [ax, ay, bx, by, ...] (a dot is a zero-length segment); `segments.length` may exceed 4 x count. */
  segments: Float64Array;
  count: number;
}

function prepare(s: Stroke, o: RasterizeOptions): Prepared {
  const r = Math.min(Math.max(s.width * o.scale, o.minWidth) / 2, Math.hypot(o.width, o.height) + 1);
  const n = s.points.length >> 1;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = (s.points[2 * i]! - o.originX) * o.scale;
    const y = (s.points[2 * i + 1]! - o.originY) * o.scale;
    if (k > 0 && Math.abs(x - xs[k - 1]!) <= SIMPLIFY_PX && Math.abs(y - ys[k - 1]!) <= SIMPLIFY_PX) {
      // Keep a stroke's last point exactly where it ends.
      if (i === n - 1 && k > 1) {
        xs[k - 1] = x;
        ys[k - 1] = y;
      }
      continue;
    }
    xs[k] = x;
    ys[k] = y;
    k++;
  }
  const segments = new Float64Array(4 * Math.max(1, k - 1));
  let count = 0;
  const reach = r + 1;
  const x0 = -reach;
  const y0 = -reach;
  const x1 = o.width + reach;
  const y1 = o.height + reach;
  if (k === 1) {
    if (xs[0]! >= x0 && xs[0]! <= x1 && ys[0]! >= y0 && ys[0]! <= y1) {
      segments.set([xs[0]!, ys[0]!, xs[0]!, ys[0]!]);
      count = 1;
    }
  }
  for (let i = 0; i + 1 < k; i++) {
    if (clipSegment(xs[i]!, ys[i]!, xs[i + 1]!, ys[i + 1]!, x0, y0, x1, y1, segments, 4 * count)) count++;
  }
  return { r, erase: s.tool === 'eraser', segments, count };
}

/** Liang-Barsky: writes the part of segment a-b inside the box at out[at..at+3]; false when none is. */
function clipSegment(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  out: Float64Array,
  at: number,
): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  let t0 = 0;
  let t1 = 1;
  for (let e = 0; e < 4; e++) {
    const p = e === 0 ? -dx : e === 1 ? dx : e === 2 ? -dy : dy;
    const q = e === 0 ? ax - x0 : e === 1 ? x1 - ax : e === 2 ? ay - y0 : y1 - ay;
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) {
        if (t > t1) return false;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return false;
        if (t < t1) t1 = t;
      }
    }
  }
  out[at] = t0 === 0 ? ax : ax + t0 * dx;
  out[at + 1] = t0 === 0 ? ay : ay + t0 * dy;
  out[at + 2] = t1 === 1 ? bx : ax + t1 * dx;
  out[at + 3] = t1 === 1 ? by : ay + t1 * dy;
  return true;
}

/** How many segments paintSegment cuts a segment into. */
const piecesOf = (len: number, r: number): number => Math.max(1, Math.ceil(len / Math.max(2 * r, 4)));

/** Pixels the capsule painter visits for one prepared stroke. */
function capsuleCost(p: Prepared, w: number, h: number): number {
  let cost = 0;
  const reach = 2 * (p.r + 1) + 1;
  for (let i = 0; i < 4 * p.count; i += 4) {
    const dx = p.segments[i + 2]! - p.segments[i]!;
    const dy = p.segments[i + 3]! - p.segments[i + 1]!;
    const pieces = piecesOf(Math.hypot(dx, dy), p.r);
    cost += pieces * Math.min(w, Math.abs(dx) / pieces + reach) * Math.min(h, Math.abs(dy) / pieces + reach);
  }
  return cost;
}

/**
 * A stroke whose capsules would visit more than this many times the bitmap's pixels is painted
 * through a distance transform (paintByDistance), whose cost is about this many visits per pixel.
 */
const DISTANCE_PATH_FACTOR = 8;

/**
 * The grid a stroke's distance transform needs, [x0, y0, x1, y1) in bitmap pixels (its centreline's
 * box widened by its radius, and no further from the bitmap than the radius), and its centreline's
 * length in pixel steps.
 */
function reachOf(p: Prepared, w: number, h: number): { x0: number; y0: number; x1: number; y1: number; steps: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let steps = 0;
  for (let i = 0; i < 4 * p.count; i += 4) {
    const ax = p.segments[i]!;
    const ay = p.segments[i + 1]!;
    const bx = p.segments[i + 2]!;
    const by = p.segments[i + 3]!;
    x0 = Math.min(x0, ax, bx);
    y0 = Math.min(y0, ay, by);
    x1 = Math.max(x1, ax, bx);
    y1 = Math.max(y1, ay, by);
    steps += Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))) + 1;
  }
  // Centreline outside the bitmap still inks it within the radius: the grid reaches that far.
  const reach = p.r + 1;
  const R = Math.ceil(reach);
  return {
    x0: Math.max(-R, Math.floor(x0 - reach)),
    y0: Math.max(-R, Math.floor(y0 - reach)),
    x1: Math.min(w + R, Math.ceil(x1 + reach) + 1),
    y1: Math.min(h + R, Math.ceil(y1 + reach) + 1),
    steps,
  };
}

/** The cheaper way to paint a stroke, and its cost in pixel visits. */
function planStroke(p: Prepared, w: number, h: number): { byDistance: boolean; cost: number } {
  const capsules = capsuleCost(p, w, h);
  if (capsules <= DISTANCE_PATH_FACTOR * 64) return { byDistance: false, cost: capsules };
  const box = reachOf(p, w, h);
  const distance = DISTANCE_PATH_FACTOR * Math.max(0, box.x1 - box.x0) * Math.max(0, box.y1 - box.y0) + box.steps;
  return capsules > distance ? { byDistance: true, cost: distance } : { byDistance: false, cost: capsules };
}

/**
 * Pixels the rasterizer would visit for these strokes (after simplifying and clipping, each stroke
 * by the cheaper of its two paths): its cost, computed in time proportional to the points, so a
 * caller can pick a coarser bitmap before painting a drawing built to be expensive (preprocess.ts).
 */
export function rasterCost(strokes: readonly Stroke[], o: RasterizeOptions): number {
  let cost = 0;
  for (const s of strokes) cost += planStroke(prepare(s, o), o.width, o.height).cost;
  return cost;
}

/**
 * Renders the strokes; coverage of each pixel by a stroke is its anti-aliased ink. A stroke is
 * painted capsule by capsule (exact), unless it has so many wide segments that a distance transform
 * over the bitmap is cheaper.
 */
export function rasterizeStrokes(strokes: readonly Stroke[], o: RasterizeOptions): InkBitmap {
  const ink = new Float32Array(o.width * o.height);
  const bitmap: Paper = { width: o.width, height: o.height, ink };
  /** 1 while the whole bitmap is ink (a pen stroke then adds nothing), 0 while it is all paper. */
  let uniform: number | null = 0;
  for (const s of strokes) {
    const p = prepare(s, o);
    if (p.count === 0 || uniform === (p.erase ? 0 : 1)) continue;
    const cover = coveringSegment(p, o.width, o.height);
    if (cover) {
      // One capsule covers every pixel fully: the stroke's effect is known without painting it.
      ink.fill(p.erase ? 0 : 1);
      uniform = p.erase ? 0 : 1;
      continue;
    }
    uniform = null;
    if (planStroke(p, o.width, o.height).byDistance) {
      paintByDistance(ink, o.width, o.height, p);
      continue;
    }
    for (let i = 0; i < 4 * p.count; i += 4) paintSegment(bitmap, p, i);
  }
  return bitmap;
}

/**
 * Whether one of the stroke's capsules gives every pixel full coverage: the distance to a segment is
 * convex, so it is enough that the bitmap's four corners lie within r - 0.5 of it.
 */
function coveringSegment(p: Prepared, w: number, h: number): boolean {
  const inner = p.r - 0.5;
  if (inner * inner * 4 < w * w + h * h) return false;
  const dist2 = (px: number, py: number, ax: number, ay: number, bx: number, by: number): number => {
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let t = len2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
    t = t < 0 ? 0 : Math.min(t, 1);
    const ex = px - (ax + t * dx);
    const ey = py - (ay + t * dy);
    return ex * ex + ey * ey;
  };
  const limit = inner * inner;
  for (let i = 0; i < 4 * p.count; i += 4) {
    const [ax, ay, bx, by] = [p.segments[i]!, p.segments[i + 1]!, p.segments[i + 2]!, p.segments[i + 3]!];
    if (
      dist2(0, 0, ax, ay, bx, by) <= limit &&
      dist2(w, 0, ax, ay, bx, by) <= limit &&
      dist2(0, h, ax, ay, bx, by) <= limit &&
      dist2(w, h, ax, ay, bx, by) <= limit
    ) {
      return true;
    }
  }
  return false;
}

/** The float bitmap a stroke is painted on. */
type Paper = InkBitmap & { ink: Float32Array };

/**
 * Segment `i` of a stroke as capsules (segments with round ends, the pen's radius). Long segments
 * are cut into pieces about 2r long so each piece only visits pixels near it, keeping the cost
 * proportional to the inked area.
 */
function paintSegment(paper: Paper, pen: Prepared, i: number): void {
  const seg = pen.segments;
  const ax = seg[i]!,
    ay = seg[i + 1]!,
    bx = seg[i + 2]!,
    by = seg[i + 3]!;
  const pieces = piecesOf(Math.hypot(bx - ax, by - ay), pen.r);
  for (let p = 0; p < pieces; p++) {
    const t0 = p / pieces;
    const t1 = (p + 1) / pieces;
    paintCapsule(paper, pen, ax + (bx - ax) * t0, ay + (by - ay) * t0, ax + (bx - ax) * t1, ay + (by - ay) * t1);
  }
}

function paintCapsule(paper: Paper, pen: Prepared, ax: number, ay: number, bx: number, by: number): void {
  const { ink, width: w, height: h } = paper;
  const { r, erase } = pen;
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
      t = t < 0 ? 0 : Math.min(t, 1);
      const ex = cx - (ax + t * dx);
      const ey = cy - (ay + t * dy);
      const d2 = ex * ex + ey * ey;
      if (d2 >= outer) continue;
      // Coverage of a pixel by the edge, approximated by its distance: a 1-pixel linear ramp.
      const d = Math.sqrt(d2);
      const cover = Math.min(r + 0.5 - d, 1);
      const i = y * w + x;
      if (erase) {
        if (1 - cover < ink[i]!) ink[i] = 1 - cover;
      } else if (cover > ink[i]!) ink[i] = cover;
    }
  }
}

/**
 * A stroke painted through a distance transform instead of capsule by capsule: its centreline is
 * sampled into the grid (every half pixel, so cost follows its clipped length), the exact Euclidean
 * distance of every pixel to the nearest sample comes from two 1-D passes (Felzenszwalb and
 * Huttenlocher 2012), and coverage is the same 1-pixel ramp at the pen's radius. Samples sit on pixel
 * centres, so edges move by at most ~0.7 bitmap pixels (0.18 output pixels at 4x supersampling).
 * Cost: O(width x height + length), whatever the number of segments or the pen's width.
 */
function paintByDistance(ink: Float32Array, bw: number, bh: number, p: Prepared): void {
  const box = reachOf(p, bw, bh);
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  if (w <= 0 || h <= 0) return;
  const INF = 1e20;
  const d = new Float64Array(w * h).fill(INF);
  const seg = p.segments;
  for (let i = 0; i < 4 * p.count; i += 4) {
    const ax = seg[i]! - box.x0;
    const ay = seg[i + 1]! - box.y0;
    const dx = seg[i + 2]! - seg[i]!;
    const dy = seg[i + 3]! - seg[i + 1]!;
    const steps = Math.ceil(Math.max(Math.abs(dx), Math.abs(dy)));
    for (let k = 0; k <= steps; k++) {
      const t = steps === 0 ? 0 : k / steps;
      const x = Math.floor(ax + dx * t);
      const y = Math.floor(ay + dy * t);
      if (x >= 0 && x < w && y >= 0 && y < h) d[y * w + x] = 0;
    }
  }
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = d[y * w + x]!;
    edt1d(f, h, out, v, z);
    for (let y = 0; y < h; y++) d[y * w + x] = out[y]!;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = d[y * w + x]!;
    edt1d(f, w, out, v, z);
    for (let x = 0; x < w; x++) d[y * w + x] = out[x]!;
  }
  const outer = p.r + 0.5;
  for (let y = Math.max(0, -box.y0); y < Math.min(h, bh - box.y0); y++) {
    for (let x = Math.max(0, -box.x0); x < Math.min(w, bw - box.x0); x++) {
      const dist = Math.sqrt(d[y * w + x]!);
      if (dist >= outer) continue;
      const cover = Math.min(outer - dist, 1);
      const i = (y + box.y0) * bw + x + box.x0;
      if (p.erase) {
        if (1 - cover < ink[i]!) ink[i] = 1 - cover;
      } else if (cover > ink[i]!) ink[i] = cover;
    }
  }
}

/** Squared distance transform of a sampled function in 1-D (the lower envelope of parabolas). */
function edt1d(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let r = v[k]!;
    let s = (f[q]! + q * q - (f[r]! + r * r)) / (2 * q - 2 * r);
    while (s <= z[k]!) {
      k--;
      r = v[k]!;
      s = (f[q]! + q * q - (f[r]! + r * r)) / (2 * q - 2 * r);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const r = v[k]!;
    out[q] = (q - r) * (q - r) + f[r]!;
  }
}
