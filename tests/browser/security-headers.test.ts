/**
 * Issue 21 finding 5 on every page, in Chromium: each page is served with the security headers
 * (Content-Security-Policy, frame-ancestors 'none', nosniff, Referrer-Policy), and under that policy
 * it still works: no CSP violation, no page error, the Socket.IO connection goes live, the drawing
 * canvas appears. A page of another origin cannot frame it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
let browser: Browser;

const PAGES = [
  '/',
  '/sessions',
  '/sessions/abcdef123456',
  '/vote',
  '/gallery',
  '/gallery/1',
  '/collections',
  '/collections/abcdefgh',
  '/draw',
  '/draw/together',
  '/sketches',
  '/assessments',
  '/admin',
];

const TOKEN = 'operator-token-for-tests-0123456789';
process.env.ADMIN_TOKEN = TOKEN;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ pages: true }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('serves every page with the security headers', async () => {
  for (const path of PAGES) {
    const res = await fetch(server.url + path);
    expect(res.status, path).toBeLessThan(500);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp, path).not.toContain('unsafe-eval');
    expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
  }
  // Static assets too.
  const html = await (await fetch(server.url + '/')).text();
  const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
  expect(asset).toBeTruthy();
  expect((await fetch(server.url + asset!)).headers.get('x-content-type-options')).toBe('nosniff');
});

it('keeps every page working under its policy: no violation, no error, the socket goes live', async () => {
  const context = await browser.newContext();
  let connections = 0;
  server.io.on('connection', () => connections++);
  for (const path of PAGES) {
    const before = connections;
    const page = await context.newPage();
    const problems: string[] = [];
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(
          `CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
        ),
      );
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|CSP violation|Refused to/i.test(msg.text()))
        problems.push(msg.text());
    });
    await page.goto(server.url + path);
    await page.waitForLoadState('networkidle');
    if (path === '/draw') {
      // The drawing page connects once something is drawn: draw a stroke on the Konva canvas.
      const box = (await page.getByTestId('sketch-canvas').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 8 });
      await page.mouse.up();
    }
    // The operator's page connects on its first request.
    if (path === '/admin') await page.getByRole('button', { name: 'Show hidden' }).click();
    // The page's Socket.IO client (app/realtime/socket.ts) connected under the policy.
    await expect.poll(() => connections, { timeout: 15_000, message: path }).toBeGreaterThan(before);
    if (path === '/')
      await expect
        .poll(() => page.getByTestId('connection').getAttribute('data-connection'), { timeout: 15_000 })
        .toBe('live');
    expect(problems, path).toEqual([]);
    await page.close();
  }
  await context.close();
}, 180_000);

it('cannot be framed by another origin', async () => {
  const page = await browser.newPage();
  const blocked: string[] = [];
  page.on('console', (msg) => blocked.push(msg.text()));
  // A page on another origin (a data: URL) frames the playground; the frame stays empty.
  await page.goto(`data:text/html,<iframe id="f" src="${server.url}/"></iframe>`);
  await page.waitForLoadState('load');
  const frame = page.frames().find((f) => f.url().startsWith(server.url));
  const framedText = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
  expect(framedText).toBe('');
  await page.close();
});

it('lets the operator hide a nickname on /admin and show it again', async () => {
  const page = await browser.newPage();
  await page.goto(server.url + '/admin');
  await page.getByTestId('admin-token').fill(TOKEN);
  await page.getByLabel('kind').selectOption('nickname');
  await page.getByTestId('admin-id').fill('Rude Name');
  await page.getByRole('button', { name: 'Hide' }).click();
  await page.getByTestId('admin-hidden').getByText('rude name').waitFor({ timeout: 15_000 });
  expect(await server.db.hiddenContent.count()).toBe(1);
  await page.getByRole('button', { name: 'Show again' }).click();
  await page.getByText('Nothing is hidden.').waitFor({ timeout: 15_000 });
  expect(await server.db.hiddenContent.count()).toBe(0);
  await page.close();
}, 60_000);
