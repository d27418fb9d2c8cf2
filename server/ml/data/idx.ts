/**
 * The IDX file format (LeCun's MNIST format, also used by Fashion-MNIST), gzip or raw: reading with
 * validation of everything a damaged or wrong file can get wrong, and writing (gzip) for fixtures.
 * Every failure is a UserFacingError naming the file, because a bad download is the common cause
 * and the person needs to know which file to replace.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { UserFacingError } from '../../errors';

const gunzip = promisify(zlib.gunzip);
const gzip = promisify(zlib.gzip);

/** IDX magic numbers: two zero bytes, element type 0x08 (unsigned byte), number of dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803; // 2051
export const IDX_LABELS_MAGIC = 0x00000801; // 2049
const UBYTE = 0x08;

export type IdxKind = 'images' | 'labels';

export interface IdxImages {
  kind: 'images';
  count: number;
  rows: number;
  cols: number;
  /** count * rows * cols bytes, row-major, one image after another. */
  data: Uint8Array;
}

export interface IdxLabels {
  kind: 'labels';
  count: number;
  data: Uint8Array;
}

export type IdxFile = IdxImages | IdxLabels;

/** Said by every error about missing or damaged data, so the person always learns how to get it. */
export const HOW_TO_GET_DATA =
  'run `npm run data` to put the Fashion-MNIST files in place, or set FASHION_MNIST_DIR to a folder that holds them';

const isGzip = (buf: Uint8Array): boolean => buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserFacingError(`The file ${file} does not exist: ${HOW_TO_GET_DATA}.`);
    if (code === 'EISDIR') throw new UserFacingError(`${file} is a folder, not an IDX file: ${HOW_TO_GET_DATA}.`);
    if (code === 'EACCES')
      throw new UserFacingError(`The file ${file} is not readable by this user: fix its permissions.`);
    throw err;
  }
}

async function decompress(file: string, raw: Buffer): Promise<Buffer> {
  if (!isGzip(raw)) return raw;
  try {
    return await gunzip(raw);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserFacingError(
      `The file ${file} is not a valid gzip file (${reason}), probably a damaged or incomplete download: delete it and ${HOW_TO_GET_DATA}.`,
    );
  }
}

/**
 * Parses IDX bytes (already decompressed); `file` only names the source in error messages.
 * Checks the magic number against the expected kind, the image size when `imageSize` is given, and
 * that the length is exactly header + payload (shorter: truncated; longer: trailing bytes).
 */
export function parseIdx(file: string, bytes: Uint8Array, expected: IdxKind, imageSize?: number): IdxFile {
  const broken = (what: string): UserFacingError =>
    new UserFacingError(`The file ${file} ${what}: delete it and ${HOW_TO_GET_DATA}.`);
  if (bytes.length < 8) throw broken(`is only ${bytes.length} bytes long, too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const wanted = expected === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
  if (magic !== wanted) {
    const other = expected === 'images' ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC;
    const dtype = (magic >>> 8) & 0xff;
    let hint = '';
    if (magic === other)
      hint = ` (it holds ${expected === 'images' ? 'labels' : 'images'}; are the file names swapped?)`;
    else if (magic >>> 16 === 0 && dtype !== UBYTE) hint = ` (element type 0x${dtype.toString(16)}, not unsigned byte)`;
    throw broken(`has magic number ${magic} where an IDX ${expected} file has ${wanted}${hint}`);
  }
  const ndim = expected === 'images' ? 3 : 1;
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) throw broken(`is truncated inside its header (${bytes.length} bytes)`);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims[0]!;
  if (expected === 'images' && imageSize !== undefined && (dims[1] !== imageSize || dims[2] !== imageSize)) {
    throw broken(`holds ${dims[1]}x${dims[2]} images where ${imageSize}x${imageSize} are expected`);
  }
  const payload = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < payload) {
    throw broken(
      `is truncated: its header announces ${count} items (${payload} bytes) but only ${actual} bytes follow`,
    );
  }
  if (actual > payload) {
    throw broken(`has ${actual - payload} unexpected bytes after the ${count} items its header announces`);
  }
  const data = bytes.subarray(headerBytes);
  return expected === 'images'
    ? { kind: 'images', count, rows: dims[1]!, cols: dims[2]!, data }
    : { kind: 'labels', count, data };
}

/** A file's IDX bytes, decompressed when it is gzip (not yet parsed). */
export async function readIdxBytes(file: string): Promise<Uint8Array> {
  return decompress(file, await readBytes(file));
}

/** Reads an IDX images file (gzip or raw), checking it holds imageSize x imageSize images. */
export async function readIdxImages(file: string, imageSize = 28): Promise<IdxImages> {
  const bytes = await readIdxBytes(file);
  return parseIdx(file, bytes, 'images', imageSize) as IdxImages;
}

/** Reads an IDX labels file (gzip or raw). */
export async function readIdxLabels(file: string): Promise<IdxLabels> {
  const bytes = await readIdxBytes(file);
  return parseIdx(file, bytes, 'labels') as IdxLabels;
}

/** Reads an images file and its labels file and checks that they describe the same number of items. */
export async function readIdxPair(
  imagesFile: string,
  labelsFile: string,
  imageSize = 28,
): Promise<{ images: IdxImages; labels: IdxLabels }> {
  const [images, labels] = await Promise.all([readIdxImages(imagesFile, imageSize), readIdxLabels(labelsFile)]);
  if (images.count !== labels.count) {
    throw new UserFacingError(
      `The file ${imagesFile} holds ${images.count} images but ${path.basename(labelsFile)} beside it holds ${labels.count} labels, so they come from different sets: replace them (${HOW_TO_GET_DATA}).`,
    );
  }
  return { images, labels };
}

/** Serializes an IDX file to bytes (uncompressed). */
export function encodeIdx(idx: IdxFile): Uint8Array {
  const dims = idx.kind === 'images' ? [idx.count, idx.rows, idx.cols] : [idx.count];
  const length = dims.reduce((a, b) => a * b, 1);
  if (idx.data.length !== length) {
    throw new Error(
      `IDX ${idx.kind} data has ${idx.data.length} bytes where dimensions ${dims.join('x')} need ${length}`,
    );
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + length);
  const view = new DataView(out.buffer);
  view.setUint32(0, idx.kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(idx.data, headerBytes);
  return out;
}

/** Writes an IDX file, gzip-compressed (level 9, no file name or time in the header) when it ends in .gz. */
export async function writeIdx(file: string, idx: IdxFile): Promise<void> {
  const bytes = encodeIdx(idx);
  await writeFile(file, file.endsWith('.gz') ? await gzip(bytes, { level: 9 }) : bytes);
}
