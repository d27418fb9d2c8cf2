/**
 * Issue 21 (moderation, done when "hidden content disappears live from a second browser"): two
 * Chromium contexts, one person each. Rude plays in a drawing room and hosts and watches a training
 * session; a second person has the room and the session open. An operator hides Rude's nickname:
 * the second browser stops showing it on both pages at once, without a reload; showing it again
 * brings it back.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { HIDDEN_NICKNAME } from '../../lib/protocol';
import { artifactPath } from '../helpers/browser';
import { connectClient, ok } from '../helpers/server';
import { withBrowserPlayground } from '../identity/harness';

const TOKEN = 'operator-token-for-tests-0123456789';
process.env.ADMIN_TOKEN = TOKEN;

const fx = withBrowserPlayground();

async function joinRoom(context: BrowserContext, nickname: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${fx.server.url}/draw/together?room=moderated`);
  await page.locator('input[name="nickname"]').fill(nickname);
  await page.getByRole('button', { name: 'Join the room' }).click();
  await page.getByTestId('players').waitFor();
  return page;
}

async function openSession(context: BrowserContext, sessionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${fx.server.url}/sessions/${sessionId}`);
  await page.getByTestId('presence').waitFor();
  return page;
}

it('hides a nickname from another browser live, in a drawing room and a session, and shows it again', async () => {
  const rudeBrowser = await fx.browser.newContext();
  const viewerBrowser = await fx.browser.newContext();
  try {
    const rudeRoom = await joinRoom(rudeBrowser, 'Rude Name');
    const viewerRoom = await joinRoom(viewerBrowser, 'Kind Viewer');
    await expect.poll(() => viewerRoom.getByTestId('players').innerText()).toContain('Rude Name');

    // Rude (the cookie the room page picked) hosts a session and watches it; so does the viewer.
    const rudeCookie = (await rudeBrowser.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const rudeSocket = await connectClient(fx.server.url, rudeCookie);
    const { sessionId } = await ok(rudeSocket, 'session:create', {
      config: { name: 'moderated session', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
    });
    rudeSocket.disconnect();
    await openSession(rudeBrowser, sessionId);
    const viewerSession = await openSession(viewerBrowser, sessionId);
    await expect.poll(() => viewerSession.getByTestId('presence').innerText()).toContain('Rude Name');
    await expect.poll(() => viewerSession.locator('main').innerText()).toContain('hosted by Rude Name');

    const operator = await connectClient(fx.server.url);
    await ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'nickname', id: 'Rude Name' }, hidden: true });

    // Without a reload: the room's players, the session's viewers and its host.
    await expect.poll(() => viewerRoom.getByTestId('players').innerText()).toContain(HIDDEN_NICKNAME);
    await expect.poll(() => viewerSession.getByTestId('presence').innerText()).toContain(HIDDEN_NICKNAME);
    await expect.poll(() => viewerSession.locator('main').innerText()).toContain(`hosted by ${HIDDEN_NICKNAME}`);
    for (const page of [viewerRoom, viewerSession])
      expect(await page.locator('body').innerText()).not.toContain('Rude Name');
    await viewerSession.screenshot({ path: artifactPath('moderation-hidden-session.png') });

    await ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'nickname', id: 'rude name' }, hidden: false });
    await expect.poll(() => viewerRoom.getByTestId('players').innerText()).toContain('Rude Name');
    await expect.poll(() => viewerSession.getByTestId('presence').innerText()).toContain('Rude Name');
    await expect.poll(() => viewerSession.locator('main').innerText()).toContain('hosted by Rude Name');
    operator.disconnect();
    await rudeRoom.close();
  } finally {
    await rudeBrowser.close();
    await viewerBrowser.close();
  }
}, 120_000);
