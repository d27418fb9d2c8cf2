import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../server/errors';
import { FILES, loadSplit } from '../../../server/ml/data/fashionMnist';
import { encodeIdx, readIdxImages, readIdxLabels, readIdxPair, writeIdx } from '../../../server/ml/data/idx';
import { FIXTURE_DIR, tempDir } from './fixture';

const fixture = (name: string): string => path.join(FIXTURE_DIR, name);
const TRAIN_IMAGES = fixture(FILES.train.images);
const TRAIN_LABELS = fixture(FILES.train.labels);

/** Expects a UserFacingError whose one-line message names `file` and matches `pattern`. */
async function expectUserError(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  const err = await promise.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  const message = (err as Error).message;
  expect(message).toContain(file);
  expect(message).toMatch(pattern);
  expect(message).not.toContain('\n');
}

describe('IDX reader on the committed real subset', () => {
  it('reads the training images and labels', async () => {
    const images = await readIdxImages(TRAIN_IMAGES);
    expect(images).toMatchObject({ kind: 'images', count: 3000, rows: 28, cols: 28 });
    expect(images.data.length).toBe(3000 * 784);
    // Real garments: dark background corners, bright pixels somewhere.
    expect(images.data[0]).toBeLessThan(50);
    expect(Math.max(...images.data.subarray(0, 784))).toBeGreaterThan(150);
    const labels = await readIdxLabels(TRAIN_LABELS);
    expect(labels.count).toBe(3000);
    const perClass = new Array(10).fill(0);
    labels.data.forEach((l) => perClass[l]++);
    expect(perClass).toEqual(new Array(10).fill(300));
  });

  it('reads uncompressed IDX as well as gzip, and the writer round-trips', async () => {
    const t = await tempDir();
    try {
      const labels = await readIdxLabels(TRAIN_LABELS);
      const raw = path.join(t.dir, 'labels-idx1-ubyte');
      const gz = path.join(t.dir, 'labels-idx1-ubyte.gz');
      await writeIdx(raw, labels);
      await writeIdx(gz, labels);
      expect((await readFile(raw)).length).toBe(8 + 3000);
      expect((await readFile(gz))[0]).toBe(0x1f);
      expect((await readIdxLabels(raw)).data).toEqual(labels.data);
      expect((await readIdxLabels(gz)).data).toEqual(labels.data);
    } finally {
      await t.remove();
    }
  });
});

describe('IDX reader on damaged files', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let imagesIdx: Uint8Array;
  let labelsIdx: Uint8Array;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    imagesIdx = gunzipSync(await readFile(TRAIN_IMAGES));
    labelsIdx = gunzipSync(await readFile(TRAIN_LABELS));
  });
  afterAll(() => remove());

  const write = async (name: string, bytes: Uint8Array): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    return file;
  };

  it('reports a missing file with how to get the data', async () => {
    const file = path.join(dir, 'nope-idx3-ubyte.gz');
    await expectUserError(readIdxImages(file), file, /does not exist.*npm run data.*FASHION_MNIST_DIR/);
  });

  it('reports a truncated file', async () => {
    const file = await write('truncated-images.gz', gzipSync(imagesIdx.subarray(0, imagesIdx.length - 100)));
    await expectUserError(
      readIdxImages(file),
      file,
      /is truncated: its header announces 3000 items \(2352000 bytes\) but only 2351900/,
    );
  });

  it('reports bytes after the announced items', async () => {
    const longer = new Uint8Array(labelsIdx.length + 5);
    longer.set(labelsIdx);
    const file = await write('trailing-labels', longer);
    await expectUserError(readIdxLabels(file), file, /5 unexpected bytes after the 3000 items/);
  });

  it('reports a wrong magic number, and swapped files as such', async () => {
    const file = await write('labels-named-images.gz', gzipSync(labelsIdx));
    await expectUserError(readIdxImages(file), file, /magic number 2049 where an IDX images file has 2051.*swapped/);
    const floats = Uint8Array.from(labelsIdx);
    floats[2] = 0x0d; // element type float32
    const other = await write('float-labels', floats);
    await expectUserError(readIdxLabels(other), other, /magic number 3329 .*element type 0xd, not unsigned byte/);
  });

  it('reports images that are not 28x28', async () => {
    const file = await write(
      'small-images',
      encodeIdx({ kind: 'images', count: 2, rows: 20, cols: 20, data: new Uint8Array(800) }),
    );
    await expectUserError(readIdxImages(file), file, /holds 20x20 images where 28x28 are expected/);
  });

  it('reports a corrupt gzip stream and a cut-off gzip file', async () => {
    const gz = Uint8Array.from(await readFile(TRAIN_LABELS));
    for (let i = 20; i < 60; i++) gz[i] = gz[i]! ^ 0xa5;
    const corrupt = await write('corrupt-labels.gz', gz);
    await expectUserError(
      readIdxLabels(corrupt),
      corrupt,
      /is not a valid gzip file \(.+\), probably a damaged or incomplete download/,
    );
    const full = await readFile(TRAIN_IMAGES);
    const cut = await write('cut-images.gz', full.subarray(0, Math.floor(full.length / 2)));
    await expectUserError(readIdxImages(cut), cut, /is not a valid gzip file \(unexpected end of file\)/);
  });

  it('reports image and label counts that differ', async () => {
    const labels = await readIdxLabels(TRAIN_LABELS);
    const short = path.join(dir, 'short-labels.gz');
    await writeIdx(short, { kind: 'labels', count: 2999, data: labels.data.subarray(0, 2999) });
    await expectUserError(
      readIdxPair(TRAIN_IMAGES, short),
      TRAIN_IMAGES,
      /holds 3000 images but short-labels.gz beside it holds 2999 labels/,
    );
  });

  it('loadSplit reports labels outside 0-9', async () => {
    const split = path.join(dir, 'split');
    await mkdir(split);
    await copyFile(fixture(FILES.test.images), path.join(split, FILES.test.images));
    const labels = await readIdxLabels(fixture(FILES.test.labels));
    const bad = Uint8Array.from(labels.data);
    bad[17] = 12;
    const file = path.join(split, FILES.test.labels);
    await writeIdx(file, { kind: 'labels', count: bad.length, data: bad });
    await expectUserError(
      loadSplit('test', split),
      file,
      /has label 12 at position 17, but Fashion-MNIST labels are 0-9/,
    );
  });
});
