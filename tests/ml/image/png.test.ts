import { describe, expect, it } from 'vitest';
import { imageAt } from '../../../lib/image';
import { CLASS_NAMES } from '../../../lib/classes';
import { loadSplit } from '../../../server/ml/data/fashionMnist';
import { textWidth } from '../../../server/ml/image/font';
import {
  decodePng,
  encodeGreyPng,
  encodeGridPng,
  encodePng,
  greyLevels,
  pngDataUrl,
} from '../../../server/ml/image/png';
import { createImage, drawText, imageGrid } from '../../../server/ml/image/raster';
import { FIXTURE_DIR } from '../data/fixture';

describe('PNG encoding', () => {
  it('round-trips a float grey image in [0, 1], scaled up', () => {
    const pixels = Float32Array.from({ length: 6 * 4 }, (_, i) => i / 23);
    pixels[0] = -0.5; // clamped to 0
    pixels[1] = 1.7; // clamped to 1
    const png = encodeGreyPng(pixels, 6, 4, 3);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png[25]).toBe(0); // IHDR colour type: greyscale, since every pixel is grey
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([18, 12]);
    const grey = greyLevels(decoded);
    expect(grey[0]).toBe(0);
    expect(grey[3]).toBe(255);
    // Source pixel (x=5, y=3) fills output block x 15-17, y 9-11.
    expect(grey[11 * 18 + 17]).toBe(Math.round((23 / 23) * 255));
    expect(grey[9 * 18 + 15]).toBe(255);
    expect(grey[0 * 18 + 6]).toBe(Math.round((2 / 23) * 255));
  });

  it('round-trips a real 28x28 byte image exactly', async () => {
    const test = await loadSplit('test', FIXTURE_DIR);
    const image = imageAt(test.images, 0);
    const decoded = decodePng(encodeGreyPng(image, 28, 28));
    expect([decoded.width, decoded.height]).toEqual([28, 28]);
    expect(Array.from(greyLevels(decoded))).toEqual(Array.from(image));
  });

  it('keeps colour (RGBA) when pixels are not grey, and makes a data URL that decodes', () => {
    const img = createImage(3, 2, [10, 200, 30]);
    const url = pngDataUrl(encodePng(img));
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const decoded = decodePng(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
    expect(Array.from(decoded.data.subarray(0, 4))).toEqual([10, 200, 30, 255]);
  });
});

describe('image grids', () => {
  it('lays out tiles with padding, scale, captions and colour bars at the expected size', async () => {
    const test = await loadSplit('test', FIXTURE_DIR);
    const tiles = Array.from({ length: 7 }, (_, i) => imageAt(test.images, i));
    const captions = ['Ankle boot', 'Bag'];
    const grid = imageGrid(tiles, {
      cols: 4,
      scale: 2,
      padding: 3,
      rowCaptions: captions,
      rowColors: [[0, 200, 0], null],
    });
    const captionWidth = textWidth('Ankle boot', 2) + 3;
    const barWidth = Math.round(56 / 6) + 3;
    expect(grid.width).toBe(3 + captionWidth + barWidth + 4 * (56 + 3));
    expect(grid.height).toBe(3 + 2 * (56 + 3));
    const decoded = decodePng(encodePng(grid));
    expect([decoded.width, decoded.height]).toEqual([grid.width, grid.height]);
    // Tile 5 (row 1, col 1) holds test image 5, pixel-doubled.
    const left = 3 + captionWidth + barWidth;
    const px = (x: number, y: number): number => decoded.data[(y * grid.width + x) * 4]!;
    const image5 = imageAt(test.images, 5);
    const x0 = left + 56 + 3;
    const y0 = 3 + 56 + 3;
    for (const [x, y] of [
      [10, 14],
      [14, 14],
      [20, 5],
    ] as const) {
      expect(px(x0 + 2 * x + 1, y0 + 2 * y + 1)).toBe(image5[y * 28 + x]);
    }
    // The colour bar of row 0 is green.
    const bar = (Math.floor(56 / 2) * grid.width + 3 + captionWidth) * 4;
    expect(Array.from(decoded.data.subarray(bar, bar + 3))).toEqual([0, 200, 0]);
  });

  it('draws caption text in the caption colour', () => {
    const img = createImage(40, 10, [0, 0, 0]);
    drawText(img, 'Hi', 1, 1, [255, 255, 255]);
    const lit = Array.from({ length: 400 }, (_, i) => img.data[i * 4]).filter((v) => v === 255).length;
    // 'H': two 7-pixel columns and a 3-pixel bar; 'i': a 6-pixel column, its dot's gap, 3 serif pixels.
    expect(lit).toBe(17 + 9);
  });

  it('accepts one flat array of many images and writes a PNG of all ten classes', async () => {
    const test = await loadSplit('test', FIXTURE_DIR);
    const png = encodeGridPng(test.images.subarray(0, 20 * 784), {
      cols: 10,
      rowCaptions: [...CLASS_NAMES].slice(0, 2),
    });
    const decoded = decodePng(png);
    expect(decoded.height).toBe(2 + 2 * (28 + 2));
    expect(() => imageGrid(new Uint8Array(100), { cols: 2 })).toThrow(/not a whole number of 784-pixel images/);
  });
});
