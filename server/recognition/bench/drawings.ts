/**
 * Drawings for benchmarks: garment outlines (T-shirt, trousers, bag, sneaker) as a person's mouse
 * would record them, with a point every ~3 canvas units and a small wobble, so recognition is
 * measured on inputs of realistic size (a few hundred points) rather than on a single dot.
 */
import type { Stroke } from '../../../lib/sketch/preprocess';

/** A T-shirt outline, in fractions of the canvas (the browser tests draw it as one mouse stroke). */
export const TSHIRT_OUTLINE: [number, number][] = [
  [0.38, 0.15],
  [0.2, 0.22],
  [0.1, 0.42],
  [0.24, 0.48],
  [0.28, 0.4],
  [0.28, 0.85],
  [0.72, 0.85],
  [0.72, 0.4],
  [0.76, 0.48],
  [0.9, 0.42],
  [0.8, 0.22],
  [0.62, 0.15],
  [0.5, 0.24],
  [0.38, 0.15],
];

const OUTLINES: [number, number][][] = [
  TSHIRT_OUTLINE,
  [
    [0.3, 0.1],
    [0.7, 0.1],
    [0.75, 0.9],
    [0.56, 0.9],
    [0.5, 0.35],
    [0.44, 0.9],
    [0.25, 0.9],
    [0.3, 0.1],
  ],
  [
    [0.15, 0.4],
    [0.85, 0.4],
    [0.8, 0.85],
    [0.2, 0.85],
    [0.15, 0.4],
    [0.35, 0.4],
    [0.38, 0.2],
    [0.62, 0.2],
    [0.65, 0.4],
  ],
  [
    [0.1, 0.45],
    [0.4, 0.42],
    [0.55, 0.6],
    [0.9, 0.65],
    [0.9, 0.75],
    [0.1, 0.75],
    [0.1, 0.45],
  ],
];

/** One outline (chosen by `rand`) on a 400-unit canvas, resampled every ~3 units with jitter. */
export function benchDrawing(rand: () => number): Stroke[] {
  const outline = OUTLINES[Math.floor(rand() * OUTLINES.length)]!;
  const scale = 300 + rand() * 80;
  const ox = rand() * (400 - scale);
  const oy = rand() * (400 - scale);
  const points: number[] = [];
  for (let i = 0; i + 1 < outline.length; i++) {
    const [ax, ay] = outline[i]!;
    const [bx, by] = outline[i + 1]!;
    const steps = Math.max(1, Math.round((Math.hypot(bx - ax, by - ay) * scale) / 3));
    for (let k = 0; k < steps; k++) {
      const t = k / steps;
      points.push(
        Math.round((ox + (ax + (bx - ax) * t) * scale + (rand() - 0.5)) * 10) / 10,
        Math.round((oy + (ay + (by - ay) * t) * scale + (rand() - 0.5)) * 10) / 10,
      );
    }
  }
  return [{ points, width: 8 + rand() * 8, tool: 'pen' }];
}
