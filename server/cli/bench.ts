/**
 * What the benchmarks share, and the browser tests with them: quantiles of timings, Debian's
 * Chromium launched headless the one way that works here (no sandbox as root, no GPU, no network
 * services), and the playground started in this process on a free local port.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { UserFacingError } from '../errors';
import type { RunningServer, StartServerOptions } from '../main';

/** The q-quantile of `values` (q = 0.5: the median); NaN when there are none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** The apt package `chromium`; playwright-core drives it (never `npx playwright install`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--no-sandbox', // tests and benches run as root, where Chromium's sandbox refuses to start
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Refuses with a sentence when Chromium is not installed (check before starting anything slow). */
export function checkChromium(): void {
  if (!existsSync(CHROMIUM_PATH))
    throw new UserFacingError(`No Chromium at ${CHROMIUM_PATH}; install it with: apt-get install -y chromium`);
}

/** Headless Chromium with a fresh temporary profile. */
export async function launchChromium(): Promise<Browser> {
  checkChromium();
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * The playground in this process on a free port of 127.0.0.1, the built pages, without Next.js's
 * banner; `options` adds to that. Imported lazily: the environment must be set before server/env.ts
 * is first read.
 */
export async function startLocalServer(options: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  const { startServer } = await import('../main');
  return startServer({ port: 0, host: '127.0.0.1', dev: false, quiet: true, ...options });
}
