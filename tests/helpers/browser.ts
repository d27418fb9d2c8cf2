/**
 * The browser tests' Chromium (Debian's, launched as server/cli/bench.ts says) and where their
 * screenshots go: tests/artifacts/ (not committed).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../server/cli/bench';

export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** Headless Chromium as the benches launch it (server/cli/bench.ts). */
export const launchBrowser = launchChromium;

/** Where to save a screenshot named `name` (the folder is created). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}
