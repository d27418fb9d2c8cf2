/**
 * Collections in a real browser: /collections is in the top menu; a private collection offers no
 * share link (nobody else could open it), a public one does; an item is added to a collection from
 * the gallery grid; the nickname picked on /collections is the one every page shows.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { connectClient, ok, pickNickname, startTestServer, type TestServer } from '../helpers/server';
import { TEST_SECRET, tinyModelFolders, tinyModels, type TinyModels } from '../identity/harness';

let server: TestServer;
let browser: Browser;
let models: TinyModels;

beforeAll(async () => {
  models = await tinyModelFolders();
  [server, browser] = await Promise.all([
    startTestServer({
      pages: true,
      identity: { secret: TEST_SECRET },
      voting: { vaeDir: models.vaeDir, judgeDir: models.judgeDir, settings: { bestOf: 2, candidates: 4 } },
    }),
    launchBrowser(),
  ]);
  await tinyModels(models);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await models?.remove();
});

it('private collections offer no share link; items are added from the gallery grid', { timeout: 120_000 }, async () => {
  // Someone else's round puts an item in the gallery.
  const { cookie } = await pickNickname(server.url, 'Ann');
  const ann = await connectClient(server.url, cookie);
  const { round } = await ok(ann, 'vote:start', { room: 'vote' });
  await ok(ann, 'vote:cast', { roundId: round.id, candidateId: round.candidates[0]!.id, value: 1 });
  const { round: closed } = await ok(ann, 'vote:close', { roundId: round.id });
  const itemId = closed.winners[0]!.galleryItemId;
  ann.disconnect();

  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(server.url + '/');
  await page.getByRole('navigation').getByRole('link', { name: 'Collections' }).click();
  await page.waitForURL(/\/collections$/);
  await page.locator('input[name="nickname"]').fill('Cleo');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByTestId('nickname').innerText()).toBe('Cleo');

  await page.getByLabel('title').fill('Favourites');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('link', { name: /Favourites/ }).first().click();
  await page.waitForURL(/\/collections\/[^/]+$/);
  await expect.poll(() => page.getByTestId('collection-visibility').innerText()).toContain('private: only you can see it');
  expect(await page.getByTestId('collection-share').count()).toBe(0);
  await page.getByRole('button', { name: 'Make public' }).click();
  await page.getByTestId('collection-share').waitFor();
  expect(await page.getByTestId('collection-link').inputValue()).toBe(page.url());

  await page.goto(server.url + '/gallery');
  const card = page.getByTestId(`gallery-item-${itemId}`);
  await card.getByRole('button', { name: '+ collection' }).click();
  await expect.poll(() => card.getByRole('status').innerText()).toBe('Added to Favourites.');
  await page.goto(server.url + '/collections');
  await page.getByRole('link', { name: /Favourites/ }).first().click();
  await expect.poll(() => page.locator('article img').count()).toBe(1);
  // The nickname is the one the other pages show.
  await page.goto(server.url + '/vote');
  await expect.poll(() => page.getByTestId('nickname').innerText()).toBe('Cleo');
});
