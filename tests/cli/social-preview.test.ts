/**
 * `npm run social-preview` draws the link preview picture (1200x630 PNG) from the committed test
 * subset, the size the committed app/opengraph-image.png has (its bytes depend on the fonts installed).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCliScript } from '../helpers/cli';

it('draws a 1200x630 PNG, the size of the committed preview', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'social-preview-'));
  try {
    const out = path.join(dir, 'preview.png');
    const run = await runCliScript('social-preview', ['--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const png = await readFile(out);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    const committed = await readFile('app/opengraph-image.png');
    expect([committed.readUInt32BE(16), committed.readUInt32BE(20)]).toEqual([1200, 630]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
