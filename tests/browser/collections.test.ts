import { expect, it } from 'vitest';
import { connectClient, ok, pickNickname } from '../helpers/server';
import { withBrowserPlayground } from '../identity/harness';

const pg = withBrowserPlayground({ voting: { settings: { candidates: 4 } } });

it('private collections offer no share link; items are added from the gallery grid', { timeout: 120_000 }, async () => {
  // Someone else's round puts an item in the gallery.
  const { cookie } = await pickNickname(pg.server.url, 'Ann');
  const ann = await connectClient(pg.server.url, cookie);
  const { round } = await ok(ann, 'vote:start', { room: 'vote' });
  await ok(ann, 'vote:cast', { roundId: round.id, candidateId: round.candidates[0]!.id, value: 1 });
  const { round: closed } = await ok(ann, 'vote:close', { roundId: round.id });
  const itemId = closed.winners[0]!.galleryItemId;
  ann.disconnect();

  const page = await pg.browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(pg.server.url + '/');
  await page.getByRole('navigation').getByRole('link', { name: 'Collections' }).click();
  await page.waitForURL(/\/collections$/);
  await page.locator('input[name="nickname"]').fill('Cleo');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByTestId('nickname').innerText()).toBe('Cleo');

  await page.getByLabel('title').fill('Favourites');
  await page.getByRole('button', { name: 'Create' }).click();
  await page
    .getByRole('link', { name: /Favourites/ })
    .first()
    .click();
  await page.waitForURL(/\/collections\/[^/]+$/);
  await expect
    .poll(() => page.getByTestId('collection-visibility').innerText())
    .toContain('private: only you can see it');
  expect(await page.getByTestId('collection-share').count()).toBe(0);
  await page.getByRole('button', { name: 'Make public' }).click();
  await page.getByTestId('collection-share').waitFor();
  expect(await page.getByTestId('collection-link').inputValue()).toBe(page.url());

  await page.goto(pg.server.url + '/gallery');
  const card = page.getByTestId(`gallery-item-${itemId}`);
  await card.getByRole('button', { name: '+ collection' }).click();
  await expect.poll(() => card.getByRole('status').innerText()).toBe('Added to Favourites.');
  await page.goto(pg.server.url + '/collections');
  await page
    .getByRole('link', { name: /Favourites/ })
    .first()
    .click();
  await expect.poll(() => page.locator('article img').count()).toBe(1);
  // The nickname is the one the other pages show.
  await page.goto(pg.server.url + '/vote');
  await expect.poll(() => page.getByTestId('nickname').innerText()).toBe('Cleo');
});

it('the owner reorders by named buttons, one change at a time, and deleting asks first', {
  timeout: 120_000,
}, async () => {
  const { cookie } = await pickNickname(pg.server.url, 'Dora');
  const dora = await connectClient(pg.server.url, cookie);
  const { round } = await ok(dora, 'vote:start', { room: 'reorder' });
  for (const c of round.candidates.slice(0, 2))
    await ok(dora, 'vote:cast', { roundId: round.id, candidateId: c.id, value: 1 });
  const ids = (await ok(dora, 'vote:close', { roundId: round.id })).round.winners.map((w) => w.galleryItemId);
  const collection = await ok(dora, 'collection:create', { title: 'Pair', public: false });
  for (const id of ids) await ok(dora, 'collection:add', { id: collection.id, galleryItemId: id });
  dora.disconnect();

  const context = await pg.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: pg.server.url }]);
  const page = await context.newPage();
  await page.goto(`${pg.server.url}/collections/${collection.id}`);
  const order = () => page.locator('article ol a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  await expect.poll(order).toEqual(ids.map((id) => `/gallery/${id}`));
  const first = page.getByRole('button', { name: new RegExp(`^move .* #${ids[0]} later$`) });
  await first.click();
  await expect.poll(order).toEqual([...ids].reverse().map((id) => `/gallery/${id}`));
  expect(await page.getByRole('button', { name: new RegExp(`^remove .* #${ids[1]}$`) }).count()).toBe(1);

  // Delete asks; dismissed, nothing happens; accepted, the collection goes.
  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect.poll(() => asked).toEqual(['Delete "Pair" and its 2 items? This cannot be undone.']);
  expect(page.url()).toContain(collection.id);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/collections$/);
  await context.close();
});
