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

/** The script-src directive of a policy, and the nonce in it. */
function scriptSource(csp: string): { directive: string; nonce: string | undefined } {
  const directive =
    csp
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src ')) ?? '';
  return { directive, nonce: /'nonce-([A-Za-z0-9+/=]+)'/.exec(directive)?.[1] };
}

it('serves every page with the security headers, scripts allowed by a fresh nonce, never inline', async () => {
  for (const path of PAGES) {
    const res = await fetch(server.url + path);
    expect(res.status, path).toBeLessThan(500);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    const { directive, nonce } = scriptSource(csp);
    expect(directive, path).not.toContain("'unsafe-inline'");
    expect(directive, path).toContain("'strict-dynamic'");
    expect(nonce, path).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp, path).not.toContain('unsafe-eval');
    // Every script of the page carries this response's nonce (the page was rendered for it).
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length, path).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
    expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
  }
  // Static assets too.
  const html = await (await fetch(server.url + '/')).text();
  const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
  expect(asset).toBeTruthy();
  expect((await fetch(server.url + asset!)).headers.get('x-content-type-options')).toBe('nosniff');
  // A nonce is good for one response: two requests of one page get two.
  const nonces = await Promise.all(
    [1, 2].map(async () => scriptSource((await fetch(server.url + '/')).headers.get('content-security-policy')!).nonce),
  );
  expect(nonces[0]).not.toBe(nonces[1]);
  // A nonce a client sends in its own request header is not the one used.
  const forged = await fetch(server.url + '/', {
    headers: { 'content-security-policy': "script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='" },
  });
  expect(scriptSource(forged.headers.get('content-security-policy')!).nonce).not.toBe('AAAAAAAAAAAAAAAAAAAAAA==');
  expect(await forged.text()).not.toContain('AAAAAAAAAAAAAAAAAAAAAA==');
});

it('does not run markup injected into a page without the nonce', async () => {
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  // What a stored injection would put into the server's HTML: an inline script and an inline
  // event handler, served with the page's own headers (its policy and nonce).
  await page.route(`${server.url}/`, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(
      /<body[^>]*>/,
      (tag) =>
        `${tag}<script>window.injected = "script"</script><img hidden src="data:," onerror="window.injected = 'handler'">`,
    );
    await route.fulfill({ response, body });
  });
  await page.goto(server.url + '/');
  // The page's own scripts ran (its socket went live); the injected ones did not.
  await expect
    .poll(() => page.getByTestId('connection').getAttribute('data-connection'), { timeout: 15_000 })
    .toBe('live');
  expect(await page.evaluate(() => (window as unknown as { injected?: string }).injected)).toBeUndefined();
  expect(violations.length).toBeGreaterThanOrEqual(2);
  await page.close();
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

it('says so while the server cannot be reached, and stops saying it once the connection is back', async () => {
  const page = await browser.newPage();
  // The connection fails on the network (as with the server down): Socket.IO retries silently.
  await page.route('**/socket.io/**', (route) => route.abort('connectionrefused'));
  await page.goto(server.url + '/sessions');
  const notice = page.getByTestId('connection-unreachable');
  await notice.waitFor({ timeout: 15_000 });
  expect(await notice.innerText()).toBe('Cannot reach the server; trying again…');
  await page.unroute('**/socket.io/**');
  await notice.waitFor({ state: 'detached', timeout: 20_000 });
  await page.close();
}, 60_000);

it('loads a list again by itself once the connection is back, after its first load failed without it', async () => {
  const page = await browser.newPage();
  await page.route('**/socket.io/**', (route) => route.abort('connectionrefused'));
  await page.goto(server.url + '/models');
  // The request waits for a connection that does not come, and says so after its 5 s.
  await expect
    .poll(() => page.getByRole('alert').allInnerTexts(), { timeout: 15_000 })
    .toContain('No answer from the server within 5 s.');
  await page.unroute('**/socket.io/**');
  // Without a reload of the page: the list (or its "none yet" text) replaces the error.
  await page.getByText('No answer from the server').waitFor({ state: 'detached', timeout: 20_000 });
  await expect
    .poll(() => page.getByRole('main').innerText(), { timeout: 10_000 })
    .toMatch(/No model versions yet|parameters ·/);
  await page.close();
}, 60_000);

// Last in this file: the refusal added to the server stays for the rest of its life.
it("says so when the server refuses the page's connection, instead of waiting forever", async () => {
  // A refusal at the handshake (as FOREIGN_ORIGIN for a page of another site): Socket.IO does not retry it.
  const REASON = 'The playground is closed for maintenance; come back in an hour.';
  server.io.use((_socket, next) => next(new Error(REASON)));
  const page = await browser.newPage();
  await page.goto(server.url + '/gallery');
  const notice = page.getByTestId('connection-refused');
  await notice.waitFor({ timeout: 15_000 });
  expect(await notice.innerText()).toBe(`The server refused this page's connection: ${REASON}`);
  // What the page asked for is answered with the reason at once, not after a 5 s timeout.
  await expect.poll(() => page.getByRole('alert').allInnerTexts(), { timeout: 4_000 }).toContain(REASON);
  // A list that cannot load says so, instead of looking empty ("No public collections yet.").
  await page.goto(server.url + '/collections');
  await expect
    .poll(() => page.getByTestId('collections-error').innerText(), { timeout: 4_000 })
    .toBe(`The collections could not be loaded: ${REASON}`);
  await page.close();
});
