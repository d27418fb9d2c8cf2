/**
 * A model version as one download: its TensorFlow.js layers-format files (model.json and the weight
 * files its manifest names; a VAE's encoder/ and decoder/ folders and latent prior) and
 * training-log.json, in one gzip-compressed tar archive under a top folder. Unpacked, the folder
 * loads with tf.loadLayersModel (file:// with tfjs-node, or over HTTP in a browser). The tar
 * format is written here (POSIX ustar, a few dozen lines) rather than through a dependency.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { ModelVersion } from '../db';
import { UserFacingError, withoutPaths } from '../errors';
import { folderLogHash, versionDir, versionFilesExist } from './catalog';

const gzip = promisify(gzipCallback);

export interface ArchiveFile {
  name: string;
  data: Buffer;
}

/** The archive's file name, e.g. "cnn-version-12.tar.gz" (also its top folder without the suffix). */
export function archiveName(version: Pick<ModelVersion, 'id' | 'kind'>): string {
  return `${version.kind}-version-${version.id}.tar.gz`;
}

/** The files a version's archive holds, relative to its folder. */
export async function versionFiles(
  version: Pick<ModelVersion, 'path' | 'kind' | 'trainingLog'>,
): Promise<ArchiveFile[]> {
  if (!versionFilesExist(version))
    throw new UserFacingError(
      withoutPaths(`The files of this model version are no longer on this server (${version.path}).`),
    );
  const dir = versionDir(version);
  const files: ArchiveFile[] = [];
  const addLayers = async (sub: string) => {
    const jsonPath = path.join(dir, sub, 'model.json');
    const json = await readFile(jsonPath);
    files.push({ name: path.posix.join(sub, 'model.json'), data: json });
    const manifest =
      (JSON.parse(json.toString('utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest ?? [];
    for (const p of manifest.flatMap((g) => g.paths)) {
      const rel = path.posix.normalize(path.posix.join(sub, p));
      if (rel.startsWith('..'))
        throw new UserFacingError(withoutPaths(`The model in ${dir} names a weight file outside its folder.`));
      files.push({ name: rel, data: await readFile(path.join(dir, rel)) });
    }
  };
  if (version.kind === 'cnn') await addLayers('');
  else {
    await addLayers('encoder');
    await addLayers('decoder');
    const prior = await readFile(path.join(dir, 'latent-prior.json')).catch(() => null);
    if (prior) files.push({ name: 'latent-prior.json', data: prior });
  }
  const log = await readFile(path.join(dir, 'training-log.json')).catch(() =>
    Buffer.from(JSON.stringify(version.trainingLog, null, 1)),
  );
  files.push({ name: 'training-log.json', data: log });
  return files;
}

/** The .tar.gz of a version: `<top>/<file>` for every file (compressed off the event loop's thread). */
export async function versionArchive(version: ModelVersion): Promise<{ name: string; data: Buffer }> {
  const name = archiveName(version);
  const top = name.replace(/\.tar\.gz$/, '');
  const files = await versionFiles(version);
  const data = await gzip(
    tar(
      files.map((f) => ({ name: `${top}/${f.name}`, data: f.data })),
      version.createdAt,
    ),
  );
  return { name, data };
}

/**
 * The last few archives built, by version and the training log on disk (a folder retrained in
 * place is built again): a download asked for again is not read and compressed again.
 */
export class ArchiveCache {
  private readonly built = new Map<string, Promise<{ name: string; data: Buffer }>>();

  constructor(private readonly keep = 4) {}

  async get(version: ModelVersion): Promise<{ name: string; data: Buffer }> {
    const key = `${version.id}:${await folderLogHash(versionDir(version))}`;
    let archive = this.built.get(key);
    this.built.delete(key);
    if (!archive) {
      archive = versionArchive(version);
      archive.catch(() => this.built.delete(key));
    }
    this.built.set(key, archive);
    for (const old of this.built.keys()) if (this.built.size > this.keep) this.built.delete(old);
    return archive;
  }
}

/** A POSIX ustar archive of plain files (names up to 100 bytes). */
export function tar(files: readonly ArchiveFile[], mtime = new Date()): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 100) throw new RangeError(`tar: the name ${f.name} is longer than 100 bytes`);
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 8, 'ascii');
    h.write('0000000\0', 108, 8, 'ascii');
    h.write('0000000\0', 116, 8, 'ascii');
    h.write(f.data.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
    h.write(
      Math.floor(mtime.getTime() / 1000)
        .toString(8)
        .padStart(11, '0') + '\0',
      136,
      12,
      'ascii',
    );
    h.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
    h.write('0', 156, 1, 'ascii');
    h.write('ustar\0', 257, 6, 'ascii');
    h.write('00', 263, 2, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
    blocks.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
