/**
 * Throwaway PGlite databases that start in about a second instead of ten: creating a PGlite
 * database runs initdb in WebAssembly (3-10 s on 2 busy cores), so we run it once per PGlite
 * version into node_modules/.cache and copy that pristine folder for each throwaway database
 * (schema diffs, tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'));
  return String(pkg.version);
}

/** The pristine, initialised data folder; created on first use. */
export async function pristinePgliteDir(): Promise<string> {
  const cacheDir = path.resolve('node_modules', '.cache', 'fashion-mnist-playground');
  const template = path.join(cacheDir, `pglite-${pgliteVersion()}`);
  const ready = () => existsSync(path.join(template, 'PG_VERSION'));
  await mkdir(cacheDir, { recursive: true });
  // One builder at a time (parallel test workers would each run initdb on the same 2 cores);
  // the others wait for it. A builder that died leaves an old claim, which is taken over.
  const claim = `${template}.building`;
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  while (!ready()) {
    if (await tryClaim(claim)) {
      try {
        if (!ready()) await build(template);
      } finally {
        await rm(claim, { recursive: true, force: true });
      }
    } else if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${claim} to go away: remove it if no test run is creating it.`);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return template;
}

const BUILD_TIMEOUT_MS = 180_000;

async function tryClaim(claim: string): Promise<boolean> {
  try {
    await mkdir(claim);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = Date.now() - (await stat(claim).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > BUILD_TIMEOUT_MS) await rm(claim, { recursive: true, force: true });
    return false;
  }
}

/** Built aside and renamed into place, so a reader never sees a half-written folder. */
async function build(template: string): Promise<void> {
  const building = await mkdtemp(`${template}-tmp-`);
  try {
    const db = await PGlite.create(path.join(building, 'data'));
    await db.close();
    await rm(template, { recursive: true, force: true });
    await rename(path.join(building, 'data'), template);
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

export interface ThrowawayPglite {
  dir: string;
  remove: () => Promise<void>;
}

/** A fresh, empty PGlite data folder under the OS temp folder. */
export async function throwawayPgliteDir(prefix = 'pglite-'): Promise<ThrowawayPglite> {
  const template = await pristinePgliteDir();
  const parent = await mkdtemp(path.join(os.tmpdir(), prefix));
  const dir = path.join(parent, 'data');
  await cp(template, dir, { recursive: true });
  return { dir, remove: () => rm(parent, { recursive: true, force: true }) };
}
