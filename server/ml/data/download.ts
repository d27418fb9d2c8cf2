/**
 * Downloading one file over HTTP(S) into place with its SHA-256 checked on the fly: tries each
 * URL in turn, writes to `<dest>.part` and renames only a verified file, so an interrupted or
 * tampered download never looks like data. Progress goes to a callback (the CLI draws a bar).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../../errors';

export interface DownloadProgress {
  url: string;
  received: number;
  /** From Content-Length; null when the server does not say. */
  total: number | null;
}

export interface DownloadRequest {
  urls: readonly string[];
  dest: string;
  sha256: string;
  onProgress?: (p: DownloadProgress) => void;
  /** Give up on a URL when no byte arrives for this long. */
  stallTimeoutMs?: number;
}

/** Network error codes that mean "no route to the host", i.e. offline or blocked. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
]);

function reasonOf(err: unknown): { text: string; unreachable: boolean } {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as NodeJS.ErrnoException).code;
  if (code) return { text: code, unreachable: UNREACHABLE.has(code) };
  if (err instanceof Error && err.name === 'AbortError') return { text: 'no data arrived in time', unreachable: true };
  return { text: err instanceof Error ? err.message : String(err), unreachable: false };
}

async function fetchOnce(url: string, part: string, req: DownloadRequest): Promise<string> {
  const controller = new AbortController();
  const stallMs = req.stallTimeoutMs ?? 30_000;
  let timer = setTimeout(() => controller.abort(), stallMs);
  const poke = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), stallMs);
  };
  const file = await open(part, 'w');
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    const length = Number(res.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : null;
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      poke();
      hash.update(chunk);
      await file.write(chunk);
      received += chunk.length;
      req.onProgress?.({ url, received, total });
    }
    return hash.digest('hex');
  } finally {
    clearTimeout(timer);
    await file.close();
  }
}

/**
 * Downloads `dest` from the first URL that serves bytes with the expected SHA-256. Throws a
 * UserFacingError listing what went wrong with every URL, with advice for offline machines.
 */
export async function downloadVerified(req: DownloadRequest): Promise<{ url: string }> {
  await mkdir(path.dirname(req.dest), { recursive: true });
  const part = `${req.dest}.part`;
  const failures: string[] = [];
  let allUnreachable = true;
  for (const url of req.urls) {
    try {
      const digest = await fetchOnce(url, part, req);
      if (digest === req.sha256) {
        await rename(part, req.dest);
        return { url };
      }
      allUnreachable = false;
      failures.push(`${url} sent a file with SHA-256 ${digest} instead of ${req.sha256}`);
    } catch (err) {
      const reason = reasonOf(err);
      allUnreachable &&= reason.unreachable;
      failures.push(`${new URL(url).host}: ${reason.text}`);
    }
    await rm(part, { force: true });
  }
  const name = path.basename(req.dest);
  throw new UserFacingError(
    allUnreachable
      ? `Could not download ${name} because no server could be reached (${failures.join(', ')}), so this machine seems offline: install the Debian package dataset-fashion-mnist, or copy the four Fashion-MNIST files into ${path.dirname(req.dest)}, or set FASHION_MNIST_DIR to a folder that has them.`
      : `Could not download a valid ${name}: ${failures.join('; ')}; try again later, or copy the file into ${path.dirname(req.dest)} by hand.`,
  );
}
