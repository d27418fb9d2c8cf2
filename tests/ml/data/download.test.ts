import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../server/errors';
import { downloadVerified, type DownloadProgress } from '../../../server/ml/data/download';
import { FILES } from '../../../server/ml/data/fashionMnist';
import { FIXTURE_DIR, tempDir } from './fixture';

// A real HTTP server on 127.0.0.1 serves a fixture file: no internet needed, nothing mocked.
describe('downloadVerified', () => {
  let server: Server;
  let base: string;
  let body: Buffer;
  let sha256: string;
  let dir: string;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    body = await readFile(path.join(FIXTURE_DIR, FILES.test.images));
    sha256 = createHash('sha256').update(body).digest('hex');
    server = createServer((req, res) => {
      if (req.url === '/data.gz') {
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      } else if (req.url === '/other.gz') {
        res.end(Buffer.from('not the file you asked for'));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ({ dir, remove } = await tempDir());
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await remove();
  });

  it('falls through a missing mirror to one that serves the right bytes, reporting progress', async () => {
    const dest = path.join(dir, 'ok', 'file.gz');
    const progress: DownloadProgress[] = [];
    const { url } = await downloadVerified({
      urls: [`${base}/missing.gz`, `${base}/data.gz`],
      dest,
      sha256,
      onProgress: (p) => progress.push(p),
    });
    expect(url).toBe(`${base}/data.gz`);
    expect((await readFile(dest)).equals(body)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ received: body.length, total: body.length });
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('keeps nothing when every server sends the wrong bytes', async () => {
    const dest = path.join(dir, 'bad.gz');
    const err = await downloadVerified({ urls: [`${base}/other.gz`, `${base}/missing.gz`], dest, sha256 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toMatch(
      /Could not download a valid bad.gz: .*other.gz sent a file with SHA-256 [0-9a-f]{64} instead of/,
    );
    expect((err as Error).message).toMatch(/HTTP 404/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('says the machine seems offline when no server answers', async () => {
    // A port that was just free: connection refused, like a machine without network.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await downloadVerified({
      urls: [`http://127.0.0.1:${port}/x.gz`],
      dest: path.join(dir, 'x.gz'),
      sha256,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toMatch(
      /no server could be reached \(127\.0\.0\.1:\d+: ECONNREFUSED\), so this machine seems offline: install the Debian package dataset-fashion-mnist/,
    );
  });
});
