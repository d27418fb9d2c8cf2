/**
 * Strokes as the socket thread hands them to the recognition worker: every point in one
 * Float64Array and the strokes' lengths, widths and tools beside it, moved (transferred) rather
 * than copied. Copying a 6,000-point drawing as nested arrays cost the socket thread more than
 * parsing it; packing it is one pass over the numbers.
 */
import type { Stroke } from '../../lib/sketch/preprocess';

export interface PackedStrokes {
  points: Float64Array;
  /** Numbers (not pairs) of each stroke in `points`. */
  lengths: Uint32Array;
  widths: Float64Array;
  /** 1 for an eraser stroke. */
  erasers: Uint8Array;
}

export function packStrokes(strokes: readonly Stroke[]): PackedStrokes {
  let total = 0;
  for (const s of strokes) total += s.points.length;
  const packed: PackedStrokes = {
    points: new Float64Array(total),
    lengths: new Uint32Array(strokes.length),
    widths: new Float64Array(strokes.length),
    erasers: new Uint8Array(strokes.length),
  };
  let at = 0;
  strokes.forEach((s, i) => {
    packed.points.set(s.points, at);
    at += s.points.length;
    packed.lengths[i] = s.points.length;
    packed.widths[i] = s.width;
    packed.erasers[i] = s.tool === 'eraser' ? 1 : 0;
  });
  return packed;
}

/** The buffers to transfer with a packed drawing. */
export const transferablesOf = (p: PackedStrokes): ArrayBuffer[] =>
  [p.points.buffer, p.lengths.buffer, p.widths.buffer, p.erasers.buffer] as ArrayBuffer[];

export function unpackStrokes(p: PackedStrokes): Stroke[] {
  const strokes: Stroke[] = [];
  let at = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const n = p.lengths[i]!;
    strokes.push({
      points: Array.from(p.points.subarray(at, at + n)),
      width: p.widths[i]!,
      tool: p.erasers[i] ? 'eraser' : 'pen',
    });
    at += n;
  }
  return strokes;
}
