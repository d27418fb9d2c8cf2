/**
 * The home page in a real browser: the status panel fills from the socket, follows a live change
 * pushed by the server, and fits a phone screen; a shared link gets the social preview picture.
 * Screenshots land in tests/artifacts/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MENU } from '../../app/rooms';
import { artifactPath, launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ statusPollMs: 200, pages: true }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('fills the status panel from the socket and follows live changes', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) pageErrors.push(`${res.status()} ${res.url()}`);
  });

  await page.goto(server.url + '/');
  await page.locator('[data-testid="status-panel"][data-state="filled"]').waitFor({ timeout: 10_000 });
  const { backend } = server.status.current();
  expect(backend.name).toBeTruthy();
  await expect.poll(() => page.getByTestId('connection').getAttribute('data-connection')).toBe('live');
  expect(await page.getByTestId('status-backend').innerText()).toContain(backend.name!);
  const database = await page.getByTestId('status-database').innerText();
  expect(database).toContain('reachable');
  expect(database).toContain(server.database.name);
  // The served CNN loads at start; the panel follows when it is in.
  await expect.poll(() => page.getByTestId('status-model').innerText(), { timeout: 15_000 }).toContain('parameters');
  // The model's name, not where it lies on the server: the panel prints no server file path.
  const model = await page.getByTestId('status-model').innerText();
  expect(model).toContain('cnn');
  expect(await page.getByTestId('status-panel').innerText()).not.toMatch(/\/(work|tmp|home|root|usr)\//);
  await page.screenshot({ path: artifactPath('home-desktop.png'), fullPage: true });

  // A change on the server reaches the open page without a reload.
  await server.database.drop();
  await expect
    .poll(() => page.getByTestId('status-database').innerText(), { timeout: 10_000 })
    .toContain('unreachable');
  expect(pageErrors).toEqual([]);
  await page.close();
});

it('fits a phone screen', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await page.goto(server.url + '/');
  await page.locator('[data-testid="status-panel"][data-state="filled"]').waitFor({ timeout: 10_000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: artifactPath('home-phone.png'), fullPage: true });
  await page.close();
});

it('has a social preview: og:image tags for the 1200x630 picture, which the server serves', async () => {
  // The origin the pages are told is the server's own: one a client sends is replaced.
  const html = await (
    await fetch(server.url + '/', { headers: { 'x-playground-origin': 'https://evil.example' } })
  ).text();
  const meta = (property: string) =>
    new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)"`).exec(html)?.[1] ?? null;
  const image = meta('og:image');
  // Absolute, on the address the page was served from (no PUBLIC_URL here: the request's Host).
  expect(html).not.toContain('evil.example');
  expect(image).toMatch(new RegExp(`^${server.url}/opengraph-image\\.png`));
  expect(meta('og:image:width')).toBe('1200');
  expect(meta('og:image:height')).toBe('630');
  expect(meta('og:image:alt')).toMatch(/Fashion-MNIST Playground/);
  expect(meta('twitter:card')).toBe('summary_large_image');
  const res = await fetch(server.url + new URL(image!).pathname + new URL(image!).search);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
});

it('names every room once: the menu and the home page link to it, and its page carries the same title', async () => {
  const home = await (await fetch(server.url + '/')).text();
  const menu = /<nav aria-label="Main"[\s\S]*?<\/nav>/.exec(home)?.[0] ?? '';
  const cards = /<section aria-label="Rooms"[\s\S]*?<\/section>/.exec(home)?.[0] ?? '';
  expect(MENU.length).toBeGreaterThanOrEqual(8);
  for (const room of MENU) {
    // In the menu (its short word) and among the home page's room cards (its title), both linking to it.
    const link = (text: string) =>
      new RegExp(`<a[^>]*href="${room.href}"[^>]*>${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</a>`);
    expect(menu).toMatch(link(room.menu));
    expect(cards).toMatch(link(room.title.replace(/'/g, '&#x27;')));
    const page = await fetch(server.url + room.href);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<title>${room.title} · Fashion-MNIST Playground</title>`);
    expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]).toBe(room.title);
  }
}, 60_000);
