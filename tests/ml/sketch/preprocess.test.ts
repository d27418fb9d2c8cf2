import { describe, expect, it } from 'vitest';
import {
  centreOfMass,
  FIT_BOX,
  inkFromRgba,
  PIXELS,
  SIDE,
  sketchToImage28,
  type Stroke,
} from '../../../lib/sketch/preprocess';

/** Columns/rows holding any pixel above `level`. */
function extent(image: Float32Array, level = 0.05): { x0: number; x1: number; y0: number; y1: number } {
  let x0 = SIDE,
    x1 = -1,
    y0 = SIDE,
    y1 = -1;
  for (let p = 0; p < PIXELS; p++) {
    if (image[p]! <= level) continue;
    const x = p % SIDE,
      y = Math.floor(p / SIDE);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { x0, x1, y0, y1 };
}

/** A closed square outline as one stroke. */
const square = (x: number, y: number, size: number, width: number): Stroke => ({
  points: [x, y, x + size, y, x + size, y + size, x, y + size, x, y],
  width,
});

describe('sketchToImage28', () => {
  it('puts a centred square outline in the middle, FIT_BOX pixels across, bright on black', () => {
    const img = sketchToImage28([square(100, 100, 200, 12)])!;
    expect(img).toHaveLength(784);
    const com = centreOfMass(img)!;
    expect(com.x).toBeCloseTo(14, 1);
    expect(com.y).toBeCloseTo(14, 1);
    const e = extent(img);
    expect(e.x1 - e.x0 + 1).toBeGreaterThanOrEqual(FIT_BOX);
    expect(e.x1 - e.x0 + 1).toBeLessThanOrEqual(FIT_BOX + 1);
    expect(e.y1 - e.y0 + 1).toBe(e.x1 - e.x0 + 1);
    // An outline: the middle is black, the frame bright, the corners of the field black.
    expect(img[14 * SIDE + 14]).toBe(0);
    expect(img[0]).toBe(0);
    expect(Math.max(...img)).toBeGreaterThan(0.9);
    expect(img[14 * SIDE + e.x0]).toBeGreaterThan(0.5);
  });

  it('gives the same image for the same square drawn off-centre and at another size', () => {
    const centred = sketchToImage28([square(100, 100, 200, 12)])!;
    const offCentre = sketchToImage28([square(10, 520, 100, 6)])!;
    let maxDiff = 0;
    for (let p = 0; p < PIXELS; p++) maxDiff = Math.max(maxDiff, Math.abs(centred[p]! - offCentre[p]!));
    expect(maxDiff).toBeLessThan(0.02);
  });

  it('keeps the aspect ratio of a wide drawing and centres its mass', () => {
    // A 300 x 100 rectangle: 26 pixels wide, about 26/3 tall.
    const img = sketchToImage28([{ points: [0, 0, 300, 0, 300, 100, 0, 100, 0, 0], width: 4 }])!;
    const e = extent(img, 0.1);
    expect(e.x1 - e.x0 + 1).toBeGreaterThanOrEqual(FIT_BOX - 1);
    expect(e.y1 - e.y0 + 1).toBeGreaterThanOrEqual(8);
    expect(e.y1 - e.y0 + 1).toBeLessThanOrEqual(11);
    const com = centreOfMass(img)!;
    expect(com.x).toBeCloseTo(14, 0);
    expect(com.y).toBeCloseTo(14, 0);
  });

  it('scales a tiny stroke up to the box and keeps it at least MIN_STROKE_WIDTH wide', () => {
    // A 3-pixel scribble with a 1-pixel pen spans 4 x 1 canvas pixels: a 26 x 6.5 bar in the middle.
    const img = sketchToImage28([{ points: [50, 50, 53, 50], width: 1 }])!;
    const e = extent(img, 0.1);
    expect(e.x1 - e.x0 + 1).toBeGreaterThanOrEqual(FIT_BOX);
    expect(e.y1 - e.y0 + 1).toBeGreaterThanOrEqual(6);
    expect(e.y1 - e.y0 + 1).toBeLessThanOrEqual(8);
    const com = centreOfMass(img)!;
    expect(com.x).toBeCloseTo(14, 1);
    expect(com.y).toBeCloseTo(14, 1);
    // A single click is a round dot: a disc filling the box.
    const dot = sketchToImage28([{ points: [5, 5], width: 3 }])!;
    expect(dot[14 * SIDE + 14]).toBe(1);
    expect(dot[0]).toBe(0);
    const d = extent(dot, 0.5);
    expect(d.x1 - d.x0 + 1).toBeGreaterThanOrEqual(FIT_BOX - 2);
  });

  it('draws a thin pen on a big drawing no thinner than the minimum width', () => {
    const img = sketchToImage28([{ points: [0, 0, 1000, 0, 1000, 1000], width: 1 }])!;
    // The top row of the drawing: a line that holds at least ~1.5 pixels of ink per column.
    let inkInColumn = 0;
    for (let y = 0; y < SIDE; y++) inkInColumn += img[y * SIDE + 8]!;
    expect(inkInColumn).toBeGreaterThan(1.3);
  });

  it('returns null for no strokes, and for strokes that an eraser removed', () => {
    expect(sketchToImage28([])).toBeNull();
    const drawn: Stroke = { points: [10, 10, 60, 10], width: 4 };
    const erased: Stroke = { points: [0, 10, 70, 10], width: 30, tool: 'eraser' };
    expect(sketchToImage28([drawn, erased])).toBeNull();
    expect(sketchToImage28([erased, drawn])).not.toBeNull();
  });

  it('reads a canvas bitmap (dark ink on white) the same way as the strokes it shows', () => {
    // 100x100 white canvas with a black filled 40x20 block at (10, 60).
    const w = 100,
      h = 100;
    const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
    for (let y = 60; y < 80; y++) for (let x = 10; x < 50; x++) rgba.fill(0, (y * w + x) * 4, (y * w + x) * 4 + 3);
    const img = sketchToImage28(inkFromRgba(rgba, w, h))!;
    // 26 x 13 pixels centred on 14: rows 7.5-20.5, so 12 full rows and a half-covered one each side.
    const e = extent(img, 0.99);
    expect(e.x1 - e.x0 + 1).toBe(FIT_BOX);
    expect(e.y1 - e.y0 + 1).toBe(FIT_BOX / 2 - 1);
    expect(img[(e.y0 - 1) * SIDE + 14]).toBeCloseTo(0.5, 2);
    expect(img[(e.y1 + 1) * SIDE + 14]).toBeCloseTo(0.5, 2);
    const com = centreOfMass(img)!;
    expect(com.x).toBeCloseTo(14, 1);
    expect(com.y).toBeCloseTo(14, 1);
    // Area averaging: the block's fully covered pixels are full ink, the total mass is the area.
    const mass = img.reduce((a, b) => a + b, 0);
    expect(mass).toBeCloseTo(FIT_BOX * (FIT_BOX / 2), 0);
    expect(sketchToImage28(inkFromRgba(new Uint8ClampedArray(w * h * 4).fill(255), w, h))).toBeNull();
  });
});
