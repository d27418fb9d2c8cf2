/**
 * Synthetic drawings: a Fashion-MNIST photo (a filled grey garment) turned into the outline drawing
 * a person would make of it, so the classifier can learn drawings beside photos and be scored on
 * them. The outline is the silhouette's edge (photo thresholded at a random level) plus, often, the
 * strongest internal edges (collars, seams, soles), drawn with a random pen width and a small random
 * wobble of the whole shape. The result goes through the same preprocessing as a real drawing
 * (preprocess.ts, as an ink bitmap), so synthetic and real drawings share one convention.
 * Pure (no Node APIs): worker threads call it per image while assembling training batches.
 */
import { fitInk, PIXELS, SIDE } from '../../../lib/sketch/preprocess';
import { IMAGE_PIXELS } from '../../../lib/image';

export interface SketchifyOptions {
  /** Pen width range in 28x28 pixels (before the final fit, which scales by ~0.9). */
  strokeWidth: readonly [number, number];
  /** Silhouette threshold range, on the photo's [0, 1] scale. */
  threshold: readonly [number, number];
  /** Largest smooth wobble of the outline, in 28x28 pixels. */
  jitter: number;
  /** Largest rotation of the whole drawing, in degrees. */
  rotateDegrees: number;
  /** Largest change of the aspect ratio (0.1 = up to 10 % wider or taller). */
  stretch: number;
  /** Probability that internal edges are drawn at all. */
  internalEdges: number;
  /** An internal edge is drawn where the gradient exceeds this fraction of the image's strongest. */
  edgeStrength: readonly [number, number];
  /** Holes in the silhouette smaller than this fraction of its area are filled, not outlined. */
  holeFill: number;
  /** Centre weight of the [1 w 1] pre-blur; larger is sharper. */
  soften: number;
}

export const DEFAULT_SKETCHIFY: SketchifyOptions = {
  strokeWidth: [1.5, 2.8],
  threshold: [0.02, 0.1],
  jitter: 0.7,
  rotateDegrees: 5,
  stretch: 0.08,
  internalEdges: 0.75,
  edgeStrength: [0.25, 0.5],
  holeFill: 0.06,
  soften: 6,
};

/** Hi-res pixels per 28x28 pixel while drawing (anti-aliasing comes from area-averaging down). */
const F = 2;
/** The hi-res canvas spans [-MARGIN, 28 + MARGIN] so a rotated garment is not cut off. */
const MARGIN = 2;
const G = (SIDE + 2 * MARGIN) * F;

const uniform = (rand: () => number, [lo, hi]: readonly [number, number]): number => lo + (hi - lo) * rand();

/**
 * A photo (784 bytes 0-255, or floats in [0, 1]) -> a 28x28 outline drawing (Float32 in [0, 1]) in
 * the preprocessing convention. `rand` supplies all randomness (mulberry32 for reproducible sets).
 */
export function sketchify(
  image28: ArrayLike<number>,
  rand: () => number,
  options: Partial<SketchifyOptions> = {},
): Float32Array {
  const o = { ...DEFAULT_SKETCHIFY, ...options };
  if (image28.length !== PIXELS)
    throw new RangeError(`sketchify takes a 28x28 image (${IMAGE_PIXELS} values), got ${image28.length}`);
  const unit = image28 instanceof Uint8Array || image28 instanceof Uint8ClampedArray ? 1 / 255 : 1;
  const photo = warpedPhoto(padded(softened(image28, unit, o.soften)), rand, o);
  const threshold = uniform(rand, o.threshold);
  const inside = new Uint8Array(G * G);
  for (let p = 0; p < inside.length; p++) inside[p] = photo[p]! > threshold ? 1 : 0;
  fillSmallHoles(inside, o.holeFill);
  const seeds = silhouetteEdge(inside);
  if (rand() < o.internalEdges) addInternalEdges(photo, inside, seeds, uniform(rand, o.edgeStrength), rand);
  const ink = inkAround(seeds, (uniform(rand, o.strokeWidth) * F) / 2);
  return fitInk({ width: G, height: G, ink }) ?? new Float32Array(PIXELS);
}

/** The photo resampled (bilinear) onto the hi-res canvas through a small random rotation, stretch and wobble. */
function warpedPhoto(src: Float32Array, rand: () => number, o: SketchifyOptions): Float32Array {
  const angle = ((rand() * 2 - 1) * o.rotateDegrees * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sx = 1 + (rand() * 2 - 1) * o.stretch;
  const sy = 1 + (rand() * 2 - 1) * o.stretch;
  const c = SIDE / 2;
  const coord = new Float32Array(G);
  for (let i = 0; i < G; i++) coord[i] = (i + 0.5) / F - MARGIN - c;
  // Four low-frequency waves (0.5-1.5 cycles across the garment), two per axis, make a smooth
  // wobble. sin(a(u) + b(v)) = sin a cos b + cos a sin b, so only 4G sines per wave, not G^2.
  const waves = Array.from({ length: 4 }, () => {
    const dir = rand() * 2 * Math.PI;
    const freq = ((0.5 + rand()) * 2 * Math.PI) / SIDE;
    const phase = rand() * 2 * Math.PI;
    const amp = (rand() * o.jitter) / Math.SQRT2;
    const sinU = new Float32Array(G),
      cosU = new Float32Array(G),
      sinV = new Float32Array(G),
      cosV = new Float32Array(G);
    for (let i = 0; i < G; i++) {
      const a = Math.cos(dir) * freq * coord[i]! + phase;
      const b = Math.sin(dir) * freq * coord[i]!;
      sinU[i] = amp * Math.sin(a);
      cosU[i] = amp * Math.cos(a);
      sinV[i] = Math.sin(b);
      cosV[i] = Math.cos(b);
    }
    return { sinU, cosU, sinV, cosV };
  });
  const [w0, w1, w2, w3] = waves as [(typeof waves)[0], (typeof waves)[0], (typeof waves)[0], (typeof waves)[0]];
  const out = new Float32Array(G * G);
  for (let Y = 0; Y < G; Y++) {
    const v = coord[Y]!;
    for (let X = 0; X < G; X++) {
      const u = coord[X]!;
      const qx =
        (cos * u + sin * v) / sx +
        w0.sinU[X]! * w0.cosV[Y]! +
        w0.cosU[X]! * w0.sinV[Y]! +
        w1.sinU[X]! * w1.cosV[Y]! +
        w1.cosU[X]! * w1.sinV[Y]!;
      const qy =
        (-sin * u + cos * v) / sy +
        w2.sinU[X]! * w2.cosV[Y]! +
        w2.cosU[X]! * w2.sinV[Y]! +
        w3.sinU[X]! * w3.cosV[Y]! +
        w3.cosU[X]! * w3.sinV[Y]!;
      out[Y * G + X] = bilinear(src, qx + c - 0.5, qy + c - 0.5);
    }
  }
  return out;
}

/**
 * A light [1 w 1] blur in both directions (w large = little blur): a speckled dark print should not
 * read as many holes, while the narrow gap between trouser legs stays open.
 */
function softened(image28: ArrayLike<number>, unit: number, w: number): Float32Array {
  const rows = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const l = x > 0 ? image28[y * SIDE + x - 1]! : 0;
      const r = x < SIDE - 1 ? image28[y * SIDE + x + 1]! : 0;
      rows[y * SIDE + x] = ((l + w * image28[y * SIDE + x]! + r) * unit) / (w + 2);
    }
  }
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const u = y > 0 ? rows[(y - 1) * SIDE + x]! : 0;
      const d = y < SIDE - 1 ? rows[(y + 1) * SIDE + x]! : 0;
      out[y * SIDE + x] = (u + w * rows[y * SIDE + x]! + d) / (w + 2);
    }
  }
  return out;
}

/**
 * Fills holes (background regions not connected to the border) smaller than `fraction` of the
 * garment's area: dark prints and shadows inside a garment, which a person would not outline, while
 * a bag's handle or the gaps between a sandal's straps stay open.
 */
function fillSmallHoles(inside: Uint8Array, fraction: number): void {
  const label = new Int32Array(G * G).fill(-1);
  let area = 0;
  for (let p = 0; p < inside.length; p++) area += inside[p]!;
  const stack: number[] = [];
  const region: number[] = [];
  for (let start = 0; start < inside.length; start++) {
    if (inside[start] || label[start] !== -1) continue;
    region.length = 0;
    let touchesBorder = false;
    stack.push(start);
    label[start] = start;
    while (stack.length) {
      const p = stack.pop()!;
      region.push(p);
      const x = p % G;
      const y = (p - x) / G;
      if (x === 0 || y === 0 || x === G - 1 || y === G - 1) touchesBorder = true;
      if (x > 0) visit(p - 1);
      if (x < G - 1) visit(p + 1);
      if (y > 0) visit(p - G);
      if (y < G - 1) visit(p + G);
    }
    if (!touchesBorder && region.length < fraction * area) for (const p of region) inside[p] = 1;
  }
  function visit(q: number): void {
    if (!inside[q] && label[q] === -1) {
      label[q] = 0;
      stack.push(q);
    }
  }
}

/** The source photo inside a border of zeros, so bilinear sampling needs no bounds checks. */
const PAD = 6;
const PADDED = SIDE + 2 * PAD;

function padded(src: Float32Array): Float32Array {
  const out = new Float32Array(PADDED * PADDED);
  for (let y = 0; y < SIDE; y++) out.set(src.subarray(y * SIDE, (y + 1) * SIDE), (y + PAD) * PADDED + PAD);
  return out;
}

/** Bilinear sample at (x, y) in source pixel coordinates; anything beyond the border is 0. */
function bilinear(src: Float32Array, x: number, y: number): number {
  const px = Math.min(PADDED - 1.001, Math.max(0, x + PAD));
  const py = Math.min(PADDED - 1.001, Math.max(0, y + PAD));
  const x0 = px | 0;
  const y0 = py | 0;
  const fx = px - x0;
  const fy = py - y0;
  const i = y0 * PADDED + x0;
  return (
    (src[i]! * (1 - fx) + src[i + 1]! * fx) * (1 - fy) + (src[i + PADDED]! * (1 - fx) + src[i + PADDED + 1]! * fx) * fy
  );
}

/** Inside pixels with an outside 4-neighbour. */
function silhouetteEdge(inside: Uint8Array): Uint8Array {
  const edge = new Uint8Array(G * G);
  for (let y = 0; y < G; y++) {
    for (let x = 0; x < G; x++) {
      const p = y * G + x;
      if (!inside[p]) continue;
      const out =
        x === 0 ||
        y === 0 ||
        x === G - 1 ||
        y === G - 1 ||
        !inside[p - 1] ||
        !inside[p + 1] ||
        !inside[p - G] ||
        !inside[p + G];
      if (out) edge[p] = 1;
    }
  }
  return edge;
}

/**
 * Thin ridges of strong gradient well inside the silhouette (Sobel, non-maximum suppression along
 * the gradient), kept as whole connected lines: short fragments are noise a person would not draw.
 */
function addInternalEdges(
  photo: Float32Array,
  inside: Uint8Array,
  seeds: Uint8Array,
  strength: number,
  rand: () => number,
): void {
  const mag = new Float32Array(G * G);
  const gxs = new Float32Array(G * G);
  const gys = new Float32Array(G * G);
  let max = 0;
  for (let y = 1; y < G - 1; y++) {
    for (let x = 1; x < G - 1; x++) {
      const p = y * G + x;
      const a = photo[p - G - 1]!,
        b = photo[p - G]!,
        c = photo[p - G + 1]!;
      const d = photo[p - 1]!,
        f = photo[p + 1]!;
      const g = photo[p + G - 1]!,
        h = photo[p + G]!,
        i = photo[p + G + 1]!;
      const gx = c + 2 * f + i - a - 2 * d - g;
      const gy = g + 2 * h + i - a - 2 * b - c;
      gxs[p] = gx;
      gys[p] = gy;
      mag[p] = Math.sqrt(gx * gx + gy * gy);
      if (inside[p] && mag[p]! > max) max = mag[p]!;
    }
  }
  if (max === 0) return;
  const away = Math.ceil(1.5 * F);
  const ridge = new Uint8Array(G * G);
  for (let y = 1; y < G - 1; y++) {
    for (let x = 1; x < G - 1; x++) {
      const p = y * G + x;
      const m = mag[p]!;
      if (!inside[p] || m < strength * max) continue;
      const ox = Math.round(gxs[p]! / m);
      const oy = Math.round(gys[p]! / m);
      if (m >= mag[p + oy * G + ox]! && m >= mag[p - oy * G - ox]! && !nearSeed(seeds, x, y, away)) ridge[p] = 1;
    }
  }
  keepLongLines(ridge, seeds, 2 * F, rand);
}

/**
 * A pen of radius r traced along the seed pixels: each pixel's ink is its coverage, a one-pixel
 * ramp at distance r from the nearest seed (anti-aliased edges). A disc is stamped around every
 * seed, which is cheaper than a distance transform for the few pixels a line touches.
 */
function inkAround(seeds: Uint8Array, r: number): Float32Array {
  const reach = Math.ceil(r + 0.5);
  const offsets: number[] = [];
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) {
      const cover = Math.min(1, r + 0.5 - Math.sqrt(dx * dx + dy * dy));
      if (cover > 0) offsets.push(dx, dy, cover);
    }
  }
  const ink = new Float32Array(G * G);
  for (let y = 0; y < G; y++) {
    for (let x = 0; x < G; x++) {
      if (!seeds[y * G + x]) continue;
      for (let k = 0; k < offsets.length; k += 3) {
        const xx = x + offsets[k]!;
        const yy = y + offsets[k + 1]!;
        if (xx < 0 || yy < 0 || xx >= G || yy >= G) continue;
        const q = yy * G + xx;
        if (offsets[k + 2]! > ink[q]!) ink[q] = offsets[k + 2]!;
      }
    }
  }
  return ink;
}

/** Whether a seed lies within the (2r+1)^2 window around (x, y): the outline already covers there. */
function nearSeed(seeds: Uint8Array, x: number, y: number, r: number): boolean {
  for (let yy = Math.max(0, y - r); yy <= Math.min(G - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(G - 1, x + r); xx++) if (seeds[yy * G + xx]) return true;
  }
  return false;
}

/** Copies into `seeds` the 8-connected ridge components of at least `minPixels`, each with probability 0.85. */
function keepLongLines(ridge: Uint8Array, seeds: Uint8Array, minPixels: number, rand: () => number): void {
  const seen = new Uint8Array(ridge.length);
  const stack: number[] = [];
  const component: number[] = [];
  for (let start = 0; start < ridge.length; start++) {
    if (!ridge[start] || seen[start]) continue;
    component.length = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      component.push(p);
      const x = p % G;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const q = p + dy * G + dx;
          if (x + dx < 0 || x + dx >= G || q < 0 || q >= ridge.length || !ridge[q] || seen[q]) continue;
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    if (component.length >= minPixels && rand() < 0.85) for (const p of component) seeds[p] = 1;
  }
}
