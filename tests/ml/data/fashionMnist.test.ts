import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../server/errors';
import { FILES, findDataDir, loadSplit, resolveDataDir, type Split } from '../../../server/ml/data/fashionMnist';
import { checkFolder } from '../../../server/ml/data/official';
import { FIXTURE_DIR, tempDir } from './fixture';

describe('loadSplit on the committed subset', () => {
  it.each([
    ['train', 3000, 300],
    ['test', 1000, 100],
  ] as const)('%s: %i images, %i per class, row-major bytes', async (split, count, perClass) => {
    const data = await loadSplit(split, FIXTURE_DIR);
    expect(data.count).toBe(count);
    expect(data.images.length).toBe(count * 784);
    expect(data.labels.length).toBe(count);
    const histogram = new Array(10).fill(0);
    data.labels.forEach((l) => histogram[l]++);
    expect(histogram).toEqual(new Array(10).fill(perClass));
    // Stratified and then mixed: the first 50 labels are not one class.
    expect(new Set(data.labels.subarray(0, 50)).size).toBeGreaterThan(5);
  });

  it('the subset is not mistaken for the full data set', async () => {
    await expect(checkFolder(FIXTURE_DIR)).rejects.toThrow(
      /holds 3000 images where Fashion-MNIST has 60000, so the folder holds a subset: use a folder with the full data set/,
    );
  });
});

describe('data-folder resolution', () => {
  let root: string;
  let remove: () => Promise<void>;
  const folder = (name: string): string => path.join(root, name);

  /** A folder with the given splits copied from the fixture. */
  async function withSplits(name: string, splits: Split[]): Promise<string> {
    const dir = folder(name);
    await mkdir(dir, { recursive: true });
    for (const s of splits) {
      await copyFile(path.join(FIXTURE_DIR, FILES[s].images), path.join(dir, FILES[s].images));
      await copyFile(path.join(FIXTURE_DIR, FILES[s].labels), path.join(dir, FILES[s].labels));
    }
    return dir;
  }

  beforeAll(async () => {
    ({ dir: root, remove } = await tempDir());
    await withSplits('explicit', ['train', 'test']);
    await withSplits('local', ['train', 'test']);
    await withSplits('debian', ['train', 'test']);
    await withSplits('test-only', ['test']);
    await withSplits('empty', []);
  });
  afterAll(() => remove());

  it('takes FASHION_MNIST_DIR first, then data/fashion-mnist, then the Debian folder', () => {
    const all = { explicit: folder('explicit'), local: folder('local'), debian: folder('debian') };
    expect(resolveDataDir('all', all)).toMatchObject({ dir: folder('explicit'), source: 'FASHION_MNIST_DIR' });
    expect(resolveDataDir('all', { ...all, explicit: undefined })).toMatchObject({
      dir: folder('local'),
      source: 'data/fashion-mnist',
    });
    const debian = resolveDataDir('all', { local: folder('empty'), debian: folder('debian') });
    expect(debian).toMatchObject({ dir: folder('debian'), source: 'debian' });
    expect(debian.description).toBe(`${folder('debian')} (the Debian package dataset-fashion-mnist)`);
  });

  it('skips a local folder that lacks files of the wanted splits', () => {
    const candidates = { local: folder('test-only'), debian: folder('debian') };
    expect(resolveDataDir('all', candidates).source).toBe('debian');
    expect(resolveDataDir('test', candidates).source).toBe('data/fashion-mnist');
  });

  it('reports a FASHION_MNIST_DIR that lacks the files instead of silently using another folder', () => {
    const candidates = { explicit: folder('test-only'), local: folder('local') };
    expect(() => resolveDataDir('all', candidates)).toThrow(
      new UserFacingError(
        `FASHION_MNIST_DIR is ${folder('test-only')}, which lacks train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz: put the files there or unset it.`,
      ),
    );
    expect(() => resolveDataDir('all', { explicit: folder('nowhere') })).toThrow(
      /FASHION_MNIST_DIR is .*nowhere, which is not a folder/,
    );
    expect(resolveDataDir('test', candidates).dir).toBe(folder('test-only'));
  });

  it('says where it looked and how to get the data when no folder has it', () => {
    const candidates = { local: folder('empty'), debian: folder('missing') };
    expect(findDataDir(undefined, candidates)).toBeNull();
    expect(() => resolveDataDir('all', candidates)).toThrow(
      new RegExp(
        `Fashion-MNIST was not found in ${folder('empty')} or ${folder('missing')}: run \`npm run data\`.*FASHION_MNIST_DIR`,
      ),
    );
  });

  it('accepts uncompressed files when the .gz are absent', async () => {
    const dir = await withSplits('plain', []);
    for (const name of [FILES.test.images, FILES.test.labels]) {
      await writeFile(
        path.join(dir, name.replace(/\.gz$/, '')),
        gunzipSync(await readFile(path.join(FIXTURE_DIR, name))),
      );
    }
    expect(resolveDataDir('test', { local: dir }).dir).toBe(dir);
    expect((await loadSplit('test', dir)).count).toBe(1000);
  });
});
