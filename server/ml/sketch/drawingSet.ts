/**
 * The drawing evaluation set: every Fashion-MNIST TEST image turned into an outline drawing by
 * sketchify, deterministically (one seed per image), written as IDX files with the test set's own
 * file names so anything that loads a test split (loadSplit, `npm run eval:cnn -- --drawings`) can
 * score it. Made from the test images only, so no training image leaks into it. Node only.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FILES, loadSplit, resolveDataDir, type DatasetSplit } from '../data/fashionMnist';
import { writeIdx } from '../data/idx';
import { mulberry32 } from '../data/random';
import { encodeGridPng } from '../image/png';
import { imageToBytes, PIXELS } from '../../../lib/sketch/preprocess';
import { sketchify } from './sketchify';

/** Bump when sketchify or the preprocessing changes, so stored sets are rebuilt. */
export const DRAWING_SET_VERSION = 3;
export const DRAWING_SET_SEED = 20240505;
export const DEFAULT_DRAWINGS_DIR = path.join('data', 'fashion-mnist-drawings');
const META = 'drawing-set.json';

/** The random source of image `index`: independent of the order images are processed in. */
export const drawingRandom = (seed: number, index: number): (() => number) =>
  mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);

/** Sketches of every image of `split`, same labels. */
export function buildDrawingSet(
  split: DatasetSplit,
  seed = DRAWING_SET_SEED,
  onProgress?: (done: number) => void,
): DatasetSplit {
  const images = new Uint8Array(split.count * PIXELS);
  for (let i = 0; i < split.count; i++) {
    const photo = split.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    images.set(imageToBytes(sketchify(photo, drawingRandom(seed, i))), i * PIXELS);
    if (onProgress && (i + 1) % 1000 === 0) onProgress(i + 1);
  }
  return { images, labels: split.labels.slice(), count: split.count };
}

interface DrawingSetMeta {
  version: number;
  seed: number;
  source: string;
  count: number;
}

/**
 * The folder of the drawing set made from the test split in `testDir`, built and written first
 * when missing or made by another version or from other data. Returns the folder.
 */
export async function ensureDrawingSet(
  dir: string = DEFAULT_DRAWINGS_DIR,
  testDir: string = resolveDataDir('test').dir,
  log: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Promise<string> {
  const meta: DrawingSetMeta = {
    version: DRAWING_SET_VERSION,
    seed: DRAWING_SET_SEED,
    source: path.resolve(testDir),
    count: 0,
  };
  const metaFile = path.join(dir, META);
  if (existsSync(metaFile)) {
    const stored = JSON.parse(await readFile(metaFile, 'utf8')) as DrawingSetMeta;
    const complete = existsSync(path.join(dir, FILES.test.images)) && existsSync(path.join(dir, FILES.test.labels));
    if (complete && stored.version === meta.version && stored.seed === meta.seed && stored.source === meta.source)
      return dir;
  }
  const test = await loadSplit('test', testDir);
  log(`building the drawing evaluation set from ${test.count} test images in ${testDir} ...`);
  const started = Date.now();
  const set = buildDrawingSet(test, meta.seed);
  await mkdir(dir, { recursive: true });
  await writeIdx(path.join(dir, FILES.test.images), {
    kind: 'images',
    count: set.count,
    rows: 28,
    cols: 28,
    data: set.images,
  });
  await writeIdx(path.join(dir, FILES.test.labels), { kind: 'labels', count: set.count, data: set.labels });
  await writeFile(path.join(dir, 'samples.png'), sampleGrid(test, set));
  await writeFile(metaFile, JSON.stringify({ ...meta, count: set.count }, null, 2) + '\n');
  log(
    `wrote ${set.count} drawings to ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s (samples.png shows some beside their photos)`,
  );
  return dir;
}

/** PNG: per class a row of photo, drawing, photo, drawing, ... (the first `perClass` of each class). */
export function sampleGrid(photos: DatasetSplit, drawings: DatasetSplit, perClass = 6): Buffer {
  const tiles: Uint8Array[] = [];
  const captions: string[] = [];
  for (let c = 0; c < 10; c++) {
    let found = 0;
    for (let i = 0; i < photos.count && found < perClass; i++) {
      if (photos.labels[i] !== c) continue;
      tiles.push(
        photos.images.subarray(i * PIXELS, (i + 1) * PIXELS),
        drawings.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      );
      found++;
    }
    captions.push(String(c));
  }
  return encodeGridPng(tiles, { cols: 2 * perClass, scale: 3, rowCaptions: captions });
}
