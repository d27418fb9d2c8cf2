/**
 * The browser tests' Chromium (Debian's, launched as server/cli/bench.ts says) and where their
 * screenshots go: tests/artifacts/ (not committed).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '../../server/cli/bench';

export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** Headless Chromium as the benches launch it (server/cli/bench.ts). */
export const launchBrowser = launchChromium;

/** Where to save a screenshot named `name` (the folder is created). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/** Collects what went wrong in a page (script errors, console errors, HTTP errors): a test expects none. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
  page.on('response', (res) => res.status() >= 400 && problems.push(`${res.status()} ${res.url()}`));
  return problems;
}

/**
 * Opens a desktop-sized page, hands it to `use`, then expects the page to have had no problems
 * (`pageProblems`) and closes it, also when `use` failed.
 */
export async function inPage(browser: Browser, use: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = pageProblems(page);
  try {
    await use(page);
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
}

/**
 * Draws on the page's sketch canvas with the mouse: pen down at the first point, through the others
 * (fractions of the canvas, [x, y]) in `steps` moves each, pen up.
 */
export async function drawShape(page: Page, shape: [number, number][], steps = 6): Promise<void> {
  const box = (await page.getByTestId('sketch-canvas').boundingBox())!;
  const at = ([fx, fy]: [number, number]) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(shape[0]!));
  await page.mouse.down();
  for (const p of shape.slice(1)) await page.mouse.move(...at(p), { steps });
  await page.mouse.up();
}
