/**
 * Generated garments as PNG files: rows of samples captioned with their class (and, for
 * quality-guided samples, the judge's mean confidence), plus the JSON record beside them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLASS_NAMES } from '../data/fashionMnist';
import { encodeGridPng } from '../image';
import { IMAGE_PIXELS } from '../../../lib/image';

export interface SampleRow {
  label: number;
  images: Float32Array[];
  /** shown after the class name, e.g. 'p=0.99' */
  note?: string;
}

export const DEFAULT_SCALE = 3;

/** One PNG with a captioned row per entry; rows with more than `cols` images wrap. */
export function renderRows(rows: readonly SampleRow[], cols?: number, scale = DEFAULT_SCALE): Buffer {
  const width = cols ?? Math.max(...rows.map((r) => r.images.length));
  const tiles: Float32Array[] = [];
  const captions: string[] = [];
  for (const row of rows) {
    const lines = Math.ceil(row.images.length / width);
    for (let l = 0; l < lines; l++) {
      const chunk = row.images.slice(l * width, (l + 1) * width);
      tiles.push(...chunk);
      // Short rows are padded with blank tiles so the next row starts at the left edge.
      for (let i = chunk.length; i < width; i++) tiles.push(new Float32Array(IMAGE_PIXELS));
      captions.push(l === 0 ? `${CLASS_NAMES[row.label]}${row.note ? ` ${row.note}` : ''}` : '');
    }
  }
  return encodeGridPng(tiles, { cols: width, scale, rowCaptions: captions, padding: 4 });
}

/** Writes bytes to a file, creating its folder. */
export async function writeOutput(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, bytes);
}
