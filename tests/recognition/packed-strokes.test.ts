/**
 * The recognition worker receives drawings packed into typed arrays (server/recognition/
 * packedStrokes.ts); unpacked, they are the strokes that were sent: points, widths and tools.
 */
import { describe, expect, it } from 'vitest';
import { packStrokes, transferablesOf, unpackStrokes } from '../../server/recognition/packedStrokes';

describe('packed strokes', () => {
  it('unpack to the strokes that were packed, erasers and odd widths included', () => {
    const strokes = [
      { points: [1.5, 2.25, 300, -4], width: 12, tool: 'pen' as const },
      { points: [7, 8], width: 0.5, tool: 'eraser' as const },
      { points: [100_000, -100_000, 0.125, 9], width: 200, tool: 'pen' as const },
    ];
    const packed = packStrokes(strokes);
    expect(packed.points.length).toBe(10);
    expect(transferablesOf(packed)).toHaveLength(4);
    expect(unpackStrokes(structuredClone(packed))).toEqual(strokes);
    expect(unpackStrokes(packStrokes([]))).toEqual([]);
  });

  it('reads a stroke without a tool as a pen', () => {
    expect(unpackStrokes(packStrokes([{ points: [1, 2], width: 3 }]))).toEqual([
      { points: [1, 2], width: 3, tool: 'pen' },
    ]);
  });
});
