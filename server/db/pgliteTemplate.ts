/**
 * Throwaway PGlite databases that start in about a second instead of ten: creating a PGlite
 * database runs initdb in WebAssembly (3-10 s on 2 busy cores), so we run it once per PGlite
 * version into node_modules/.cache and copy that pristine folder for each throwaway database
 * (schema diffs, tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
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
  if (existsSync(path.join(template, 'PG_VERSION'))) return template;
  await mkdir(cacheDir, { recursive: true });
  // Built aside and renamed into place, so parallel test workers never see a half-written one.
  const building = await mkdtemp(path.join(cacheDir, 'pglite-building-'));
  const db = await PGlite.create(path.join(building, 'data'));
  await db.close();
  try {
    await rename(path.join(building, 'data'), template);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err; // another worker won the race
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return template;
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
