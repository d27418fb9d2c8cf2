/**
 * The rasterizer's cost is bounded by its output, not by how a drawing is built (issue 21): the
 * 24 KB drawing that cost ~500 ms of the socket thread (6,000 points in a 1x1 box, pen width 200)
 * is replayed, with other drawings built to be slow. Costs are counted in pixel visits (rasterPlan),
 * never timed; the images are checked against what the drawings look like.
 */
import { describe, expect, it } from 'vitest';
import { StrokesSchema } from '../../../lib/protocol';
import {
  centreOfMass,
  PIXELS,
  RASTER_BUDGET,
  rasterPlan,
  SIDE,
  sketchToImage28,
  type Stroke,
} from '../../../lib/sketch/preprocess';
import { mulberry32 } from '../../../server/ml/data/random';

/** 6,000 points inside a 1x1 box, drawn with the widest pen the protocol allows. */
function pileOfPoints(): Stroke[] {
  const rand = mulberry32(21);
  const points: number[] = [];
  for (let i = 0; i < 6000; i++)
    points.push(200 + Math.round(rand() * 100) / 100, 200 + Math.round(rand() * 100) / 100);
  return [{ points, width: 200, tool: 'pen' }];
}

describe('rasterizing drawings built to be slow', () => {
  it('replays the 24 KB drawing of 6,000 points in a 1x1 box at pen width 200: within budget, and a round dot', () => {
    const strokes = pileOfPoints();
    expect(JSON.stringify({ strokes }).length).toBeGreaterThan(24_000);
    expect(StrokesSchema.safeParse(strokes).success).toBe(true); // the protocol accepts it
    const plan = rasterPlan(strokes)!;
    expect(plan.cost).toBeLessThanOrEqual(RASTER_BUDGET);
    // Before, every one of the 6,000 segments painted a disc ~100 bitmap pixels wide: ~60 M visits.
    expect(plan.cost).toBeLessThan(RASTER_BUDGET / 10);
    // It looks like what it is: one fat dot, the same as a single click with that pen.
    const image = sketchToImage28(strokes)!;
    const dot = sketchToImage28([{ points: [200.5, 200.5], width: 200 }])!;
    // (The pile is a 201-unit rounded square rather than a 200-unit disc: edges differ a little.)
    let diff = 0;
    for (let p = 0; p < PIXELS; p++) diff += Math.abs(image[p]! - dot[p]!);
    expect(diff / PIXELS).toBeLessThan(0.02);
    expect(image[14 * SIDE + 14]).toBe(1);
  });

  it('keeps thousands of wide strokes across the whole drawing, and far-away eraser strokes, within budget', () => {
    const rand = mulberry32(3);
    const zigzag: Stroke[] = [
      {
        points: Array.from({ length: 12_000 }, (_, i) =>
          i % 2 === 0 ? (i % 4 === 0 ? 0 : 1000) : Math.round(rand() * 1000),
        ),
        width: 200,
      },
    ];
    const scribbles: Stroke[] = Array.from({ length: 300 }, (_, k) => ({
      points: Array.from({ length: 40 }, () => Math.round(rand() * 400)),
      width: 1 + k / 2,
    }));
    const eraser: Stroke[] = [
      { points: [0, 0, 10, 10], width: 4 },
      {
        points: Array.from({ length: 11_996 }, (_, i) => (i % 2 ? 99_999 : -99_999) * (i % 4 < 2 ? 1 : -1)),
        width: 200,
        tool: 'eraser',
      },
    ];
    for (const strokes of [zigzag, scribbles, eraser]) {
      expect(StrokesSchema.safeParse(strokes).success).toBe(true);
      expect(rasterPlan(strokes)!.cost).toBeLessThanOrEqual(RASTER_BUDGET * 3);
    }
    // The zigzag is a broad band of ink; the eraser, crossing everything with its widest pen, leaves nothing.
    const band = sketchToImage28(zigzag)!;
    expect(centreOfMass(band)!.x).toBeCloseTo(14, 0);
    expect(band.filter((v) => v > 0.5).length).toBeGreaterThan(300);
    expect(sketchToImage28(eraser)).toBeNull();
  });

  it('renders an ordinary drawing at full resolution, unchanged by the budget', () => {
    const square: Stroke = { points: [100, 100, 300, 100, 300, 300, 100, 300, 100, 100], width: 12 };
    const plan = rasterPlan([square])!;
    expect(plan.supersample).toBe(4);
    expect(plan.cost).toBeLessThan(RASTER_BUDGET / 10);
  });
});
