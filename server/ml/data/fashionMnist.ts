/**
 * Fashion-MNIST on disk: which folder holds the four files (FASHION_MNIST_DIR, then
 * data/fashion-mnist, then Debian's dataset-fashion-mnist) and loading a split into plain typed
 * arrays. No TensorFlow.js here, so worker threads can load data without a backend.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { env } from '../../env';
import { UserFacingError } from '../../errors';
import { IMAGE_SIZE } from '../../../lib/image';
import { NUM_CLASSES } from '../../../lib/classes';
import { HOW_TO_GET_DATA, readIdxPair } from './idx';
export { CLASS_NAMES, parseClass } from '../../../lib/classes';
import { shuffledIndices } from './random';
import { IMAGE_PIXELS, imageAt } from '../../../lib/image';

export const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
export const LOCAL_DIR = path.join('data', 'fashion-mnist');

export const FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;
export type Split = keyof typeof FILES;
export const SPLITS: readonly Split[] = ['train', 'test'];

export interface DatasetSplit {
  /** count x 784 bytes, row-major (0 = background, 255 = brightest garment pixel). */
  images: Uint8Array;
  /** count class indices, 0-9 (see CLASS_NAMES). */
  labels: Uint8Array;
  count: number;
}

export type DataDirSource = 'FASHION_MNIST_DIR' | 'data/fashion-mnist' | 'debian';

export interface ResolvedDataDir {
  dir: string;
  source: DataDirSource;
  /** For logs: where the data came from, in words. */
  description: string;
}

export interface DataDirCandidates {
  /** FASHION_MNIST_DIR: used when set, never skipped, so a typo is reported rather than ignored. */
  explicit?: string | undefined;
  local?: string | undefined;
  debian?: string | undefined;
}

export const defaultCandidates = (): DataDirCandidates => ({
  explicit: env.FASHION_MNIST_DIR,
  local: path.resolve(LOCAL_DIR),
  debian: DEBIAN_DIR,
});

/** Paths of a split's two files in `dir`; the uncompressed names are accepted when the .gz are absent. */
export function splitFiles(dir: string, split: Split): { images: string; labels: string } {
  const pick = (gz: string): string => {
    const zipped = path.join(dir, gz);
    const plain = zipped.slice(0, -'.gz'.length);
    return !existsSync(zipped) && existsSync(plain) ? plain : zipped;
  };
  return { images: pick(FILES[split].images), labels: pick(FILES[split].labels) };
}

/** Names of the files of `splits` missing from `dir`. */
export function missingFiles(dir: string, splits: readonly Split[]): string[] {
  return splits.flatMap((s) => {
    const f = splitFiles(dir, s);
    return [f.images, f.labels].filter((p) => !existsSync(p)).map((p) => path.basename(p));
  });
}

const DESCRIPTIONS: Record<DataDirSource, string> = {
  FASHION_MNIST_DIR: 'set by FASHION_MNIST_DIR',
  'data/fashion-mnist': 'the project folder, filled by `npm run data`',
  debian: 'the Debian package dataset-fashion-mnist',
};

const resolved = (dir: string, source: DataDirSource): ResolvedDataDir => ({
  dir,
  source,
  description: `${dir} (${DESCRIPTIONS[source]})`,
});

/**
 * The folder to load `splits` from, or null when no candidate folder has their files. Throws when
 * FASHION_MNIST_DIR is set but does not hold them, since the person asked for that folder.
 */
export function findDataDir(
  splits: readonly Split[] = SPLITS,
  candidates: DataDirCandidates = defaultCandidates(),
): ResolvedDataDir | null {
  if (candidates.explicit) {
    const dir = path.resolve(candidates.explicit);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UserFacingError(
        `FASHION_MNIST_DIR is ${candidates.explicit}, which is not a folder: fix it or unset it.`,
      );
    }
    const missing = missingFiles(dir, splits);
    if (missing.length > 0) {
      throw new UserFacingError(
        `FASHION_MNIST_DIR is ${candidates.explicit}, which lacks ${missing.join(', ')}: put the files there or unset it.`,
      );
    }
    return resolved(dir, 'FASHION_MNIST_DIR');
  }
  if (candidates.local && missingFiles(candidates.local, splits).length === 0) {
    return resolved(candidates.local, 'data/fashion-mnist');
  }
  if (candidates.debian && missingFiles(candidates.debian, splits).length === 0) {
    return resolved(candidates.debian, 'debian');
  }
  return null;
}

/**
 * Like findDataDir, but a missing data set is an error saying where it looked and how to get it.
 * `split` narrows the check to one split (an evaluation needs only the test files).
 */
export function resolveDataDir(
  split: Split | 'all' = 'all',
  candidates: DataDirCandidates = defaultCandidates(),
): ResolvedDataDir {
  const found = findDataDir(split === 'all' ? SPLITS : [split], candidates);
  if (found) return found;
  const looked = [candidates.local, candidates.debian].filter((d): d is string => Boolean(d));
  throw new UserFacingError(`Fashion-MNIST was not found in ${looked.join(' or ')}: ${HOW_TO_GET_DATA}.`);
}

/** Loads a split: both files read and checked (magic, sizes, counts, labels 0-9). */
export async function loadSplit(split: Split, dir: string = resolveDataDir(split).dir): Promise<DatasetSplit> {
  const files = splitFiles(dir, split);
  const { images, labels } = await readIdxPair(files.images, files.labels, IMAGE_SIZE);
  const bad = labels.data.findIndex((l) => l >= NUM_CLASSES);
  if (bad >= 0) {
    throw new UserFacingError(
      `The file ${files.labels} has label ${labels.data[bad]} at position ${bad}, but Fashion-MNIST labels are 0-9: replace it (${HOW_TO_GET_DATA}).`,
    );
  }
  return { images: images.data, labels: labels.data, count: images.count };
}

/**
 * The first `limit` images of a seeded shuffle of `split` (the whole split when no limit is
 * smaller): how training runs take a subset, so anyone can name the same images again.
 */
export function seededSubset(split: DatasetSplit, limit: number | undefined, seed: number): DatasetSplit {
  if (limit === undefined || limit >= split.count) return split;
  const order = shuffledIndices(split.count, seed);
  const images = new Uint8Array(limit * IMAGE_PIXELS);
  const labels = new Uint8Array(limit);
  for (let i = 0; i < limit; i++) {
    const j = order[i]!;
    images.set(imageAt(split.images, j), i * IMAGE_PIXELS);
    labels[i] = split.labels[j]!;
  }
  return { images, labels, count: limit };
}

/**
 * Splits off the last `count` images of a split (a fixed hold-out, the same in every run): returns
 * the rest and the held-out part, both views of the original arrays.
 */
export function holdOutLast(split: DatasetSplit, count: number): { rest: DatasetSplit; heldOut: DatasetSplit } {
  if (!Number.isInteger(count) || count < 1 || count >= split.count) {
    throw new UserFacingError(
      `a validation set of ${count} images needs a training set larger than that (it has ${split.count}): choose a smaller validation count.`,
    );
  }
  const n = split.count - count;
  return {
    rest: { images: split.images.subarray(0, n * 784), labels: split.labels.subarray(0, n), count: n },
    heldOut: { images: split.images.subarray(n * 784), labels: split.labels.subarray(n), count },
  };
}
