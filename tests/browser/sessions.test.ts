/**
 * Training sessions in a real browser: a host creates a session from the lobby, a second person
 * (another browser profile, on a phone-sized screen) opens the shared link, the host starts it,
 * and both pages' charts and evaluations update live; the finished session can be scrubbed.
 * Screenshots land in tests/artifacts/.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactPath, launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({
      sessions: { dataDir: path.resolve('tests/fixtures/fashion-mnist'), testLimit: 200 },
      pages: true,
    }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

const points = async (page: Page): Promise<number> =>
  Number(await page.getByTestId('loss-chart').getAttribute('data-points'));

it('two pages watch one session: the host starts it and both charts update', { timeout: 180_000 }, async () => {
  const hostContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const guestContext = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const host = await hostContext.newPage();
  const guest = await guestContext.newPage();
  const hostErrors = watchErrors(host);
  const guestErrors = watchErrors(guest);

  await host.goto(server.url + '/sessions');
  await host.locator('[data-testid="session-list"][data-state="filled"]').waitFor();
  const form = host.getByTestId('create-session');
  await form.locator('input[name="name"]').fill('Browser test');
  await form.locator('input[name="epochs"]').fill('2');
  await form.locator('select[name="trainLimit"]').selectOption('1000');
  await form.locator('input[name="nickname"]').fill('Ada');
  await form.getByRole('button', { name: 'Create and open' }).click();
  await host.waitForURL(/\/sessions\/[a-z0-9]+$/);
  const url = host.url();
  await host.getByTestId('host-controls').waitFor();

  await guest.goto(url);
  await guest.getByTestId('host-note').waitFor();
  expect(await guest.getByTestId('host-note').innerText()).toContain('Ada hosts this session');
  await expect.poll(() => host.getByTestId('viewer-count').innerText()).toBe('2');
  await expect.poll(() => guest.getByTestId('viewer-count').innerText()).toBe('2');
  expect(await guest.getByTestId('host-controls').count()).toBe(0);

  await host.getByRole('button', { name: 'Start training' }).click();
  for (const page of [host, guest]) {
    await expect.poll(() => page.getByTestId('session-state').first().getAttribute('data-state')).toBe('training');
  }
  // Both charts grow while the run streams batch metrics.
  await expect.poll(() => points(host), { timeout: 60_000 }).toBeGreaterThan(2);
  await expect.poll(() => points(guest), { timeout: 10_000 }).toBeGreaterThan(2);
  const before = await points(guest);
  await expect.poll(() => points(guest), { timeout: 30_000 }).toBeGreaterThan(before);

  // The first epoch's evaluation reaches both pages.
  for (const page of [host, guest]) await page.getByTestId('confusion-matrix').waitFor({ timeout: 60_000 });
  await host.screenshot({ path: artifactPath('session-host-desktop.png'), fullPage: true });

  for (const page of [host, guest]) {
    await expect
      .poll(() => page.getByTestId('session-state').first().getAttribute('data-state'), { timeout: 60_000 })
      .toBe('finished');
  }
  await guest.getByTestId('model-version').waitFor();
  // Scrub back to the first epoch of the finished session.
  await guest.locator('#epoch-scrubber').fill('0');
  await expect.poll(() => guest.getByTestId('scrubbed-epoch').innerText()).toBe('1');
  expect(await guest.getByTestId('evaluation').getAttribute('data-epoch')).toBe('0');
  const overflow = await guest.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await guest.screenshot({ path: artifactPath('session-guest-phone.png'), fullPage: true });
  await host.screenshot({ path: artifactPath('session-host-finished.png'), fullPage: true });

  await host.goto(server.url + '/sessions');
  await host.locator('[data-testid="session-card"][data-state="finished"]').first().waitFor();
  await host.screenshot({ path: artifactPath('sessions-lobby.png'), fullPage: true });

  expect(hostErrors).toEqual([]);
  expect(guestErrors).toEqual([]);
  await hostContext.close();
  await guestContext.close();
});
