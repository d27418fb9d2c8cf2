/**
 * The official Fashion-MNIST release (zalandoresearch/fashion-mnist): where to download its four
 * files, their checksums, and checking that a folder holds exactly that data.
 *
 * Two kinds of checksum, on purpose: `sha256` identifies the downloaded .gz file byte for byte;
 * `contentSha256` identifies the uncompressed IDX bytes. Debian's dataset-fashion-mnist ships the
 * same compressed data with a rewritten gzip header (no file name, another time stamp), so its
 * .gz files differ from the official ones while their content is identical; a folder is checked
 * by content so that both count as the official data.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { UserFacingError } from '../../errors';
import { SPLITS, splitFiles, type Split } from './fashionMnist';
import { parseIdx, readIdxBytes } from './idx';

export interface OfficialFile {
  name: string;
  split: Split;
  kind: 'images' | 'labels';
  count: number;
  /** Bytes of the .gz file. */
  size: number;
  /** SHA-256 of the .gz file (the project README publishes MD5 only; these match those files). */
  sha256: string;
  /** MD5 of the .gz file as the project README lists it. */
  md5: string;
  /** SHA-256 of the uncompressed IDX bytes. */
  contentSha256: string;
}

export const OFFICIAL_FILES: readonly OfficialFile[] = [
  {
    name: 'train-images-idx3-ubyte.gz',
    split: 'train',
    kind: 'images',
    count: 60000,
    size: 26421880,
    sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    contentSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  },
  {
    name: 'train-labels-idx1-ubyte.gz',
    split: 'train',
    kind: 'labels',
    count: 60000,
    size: 29515,
    sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    md5: '25c81989df183df01b3e8a0aad5dffbe',
    contentSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  },
  {
    name: 't10k-images-idx3-ubyte.gz',
    split: 'test',
    kind: 'images',
    count: 10000,
    size: 4422102,
    sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    md5: 'bef4ecab320f06d8554ea6380940ec79',
    contentSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  },
  {
    name: 't10k-labels-idx1-ubyte.gz',
    split: 'test',
    kind: 'labels',
    count: 10000,
    size: 5148,
    sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    md5: 'bb300cfdad3c16e7a12a480ee83cd310',
    contentSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
];

/** Tried in order; both serve the same bytes (HTTPS first, the checksum guards the HTTP one). */
export const DOWNLOAD_MIRRORS = [
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
] as const;

export const DEBIAN_PACKAGE = 'dataset-fashion-mnist';

export interface FolderCheck {
  dir: string;
  counts: Record<Split, number>;
  /** Files whose uncompressed content differs from the official release (empty: it is the release). */
  differing: string[];
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads all four files of `dir` with full validation and compares their content with the official
 * release. Throws a UserFacingError when a file is damaged or a split is not the full set.
 */
export async function checkFolder(dir: string): Promise<FolderCheck> {
  const counts = { train: 0, test: 0 } as Record<Split, number>;
  const differing: string[] = [];
  for (const split of SPLITS) {
    const files = splitFiles(dir, split);
    const parsed = [];
    for (const kind of ['images', 'labels'] as const) {
      const file = files[kind];
      const bytes = await readIdxBytes(file);
      const idx = parseIdx(file, bytes, kind, 28);
      const official = OFFICIAL_FILES.find((f) => f.split === split && f.kind === kind)!;
      if (idx.count !== official.count) {
        throw new UserFacingError(
          `The file ${file} holds ${idx.count} ${kind} where Fashion-MNIST has ${official.count}, so the folder holds a subset: use a folder with the full data set (unset FASHION_MNIST_DIR if it points there, or delete the files and run \`npm run data\`).`,
        );
      }
      if (sha256(bytes) !== official.contentSha256) differing.push(path.basename(file));
      parsed.push(idx);
    }
    counts[split] = parsed[0]!.count;
  }
  return { dir, counts, differing };
}
