/**
 * Draw together in two real browser pages: the drawer's strokes appear on the watcher's canvas
 * with the model's guess, the watcher guesses right and the room says who was right first; a page
 * that reconnected plays on as the server's new player.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { CLASS_NAMES } from '../../lib/classes';
import { artifactPath, drawShape } from '../helpers/browser';
import { withBrowserPlayground } from '../identity/harness';

const pg = withBrowserPlayground();

async function joinAs(nickname: string, width: number, room = 'catwalk'): Promise<Page> {
  const page = await pg.browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${pg.server.url}/draw/together?room=${room}`);
  await page.locator('input[name="nickname"]').fill(nickname);
  await page.getByRole('button', { name: 'Join the room' }).click();
  await page.getByTestId('players').waitFor();
  return page;
}

/** Dark pixels on the (white) Konva canvas of the page. */
const inkOnCanvas = (page: Page) =>
  page
    .getByTestId('sketch-canvas')
    .locator('canvas')
    .nth(1)
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 128) ink++;
      return ink;
    });

it('streams a drawing to a watcher, who guesses it', async () => {
  const ann = await joinAs('Ann', 1280);
  const bob = await joinAs('Bob', 820);
  await expect.poll(() => ann.getByTestId('players').innerText()).toContain('Bob');

  // After joining, the room's name and invite link are on the page; without a clipboard the link is selected, with a message.
  expect(await bob.getByTestId('room-name').innerText()).toBe('catwalk');
  expect(await bob.getByTestId('invite-link').inputValue()).toBe(`${pg.server.url}/draw/together?room=catwalk`);
  await bob.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
  await bob.getByTestId('room-header').getByRole('button', { name: 'Copy link' }).click();
  await expect.poll(() => bob.getByTestId('invite-link-note').innerText()).toMatch(/the link is selected/);
  expect(
    await bob.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0);
    }),
  ).toBe(`${pg.server.url}/draw/together?room=catwalk`);
  // The nickname typed to join is the one identity: /vote shows it.
  await bob.goto(pg.server.url + '/vote');
  await expect.poll(() => bob.getByTestId('nickname').innerText()).toBe('Bob');
  await bob.goBack();
  await expect.poll(() => bob.locator('input[name="nickname"]').inputValue()).toBe('Bob');
  await bob.getByRole('button', { name: 'Join the room' }).click();
  await bob.getByTestId('players').waitFor();

  await ann.getByRole('button', { name: /I draw/ }).click();
  await expect.poll(() => ann.getByTestId('room-banner').innerText()).toMatch(/Draw a \w/);
  const text = await ann.getByTestId('room-banner').innerText();
  const target = CLASS_NAMES.findIndex((name) => text.includes(name));
  expect(target).toBeGreaterThanOrEqual(0);
  await expect.poll(() => bob.getByTestId('room-banner').innerText()).toContain('Ann is drawing');

  const square: [number, number][] = [
    [0.2, 0.2],
    [0.8, 0.2],
    [0.8, 0.8],
    [0.2, 0.8],
    [0.2, 0.2],
  ];
  await drawShape(ann, square, 8);

  await expect.poll(() => inkOnCanvas(bob), { timeout: 10_000 }).toBeGreaterThan(500);
  // The drawer sees the model's guess; the watcher only once the round is over (it would give the answer away).
  await expect.poll(() => ann.getByTestId('room-model-guess').innerText(), { timeout: 10_000 }).toMatch(/%\)$/);
  expect(await bob.getByTestId('room-model-guess').innerText()).toBe('hidden until the round ends');

  await bob.getByTestId('guess-buttons').getByRole('button', { name: CLASS_NAMES[target], exact: true }).click();
  await expect.poll(() => bob.getByTestId('first-correct').innerText(), { timeout: 10_000 }).toMatch(/right first/);
  await expect.poll(() => ann.getByTestId('room-banner').innerText()).toContain(`It was a ${CLASS_NAMES[target]}`);
  await expect.poll(() => bob.getByTestId('room-model-guess').innerText(), { timeout: 10_000 }).toMatch(/%\)$/);
  await bob.screenshot({ path: artifactPath('draw-together-watcher.png'), fullPage: true });
  await ann.screenshot({ path: artifactPath('draw-together-drawer.png'), fullPage: true });
});

it('plays on after a reconnect (a nickname changed in another tab): the page is the new player', async () => {
  const ann = await joinAs('Ann', 1280, 'runway');
  const bob = await joinAs('Bob', 820, 'runway');
  await expect.poll(() => ann.getByTestId('players').innerText()).toContain('Bob');
  await ann.getByRole('button', { name: /I draw/ }).click();
  await expect.poll(() => bob.getByTestId('room-banner').innerText()).toContain('Ann is drawing');
  // The garment's name shows once Ann's start is answered ("Draw a …" until then).
  await expect.poll(() => ann.getByTestId('room-banner').innerText()).toMatch(/Draw a [A-Z]/);
  const banner = await ann.getByTestId('room-banner').innerText();
  const drawn = CLASS_NAMES.findIndex((name) => banner.includes(name));
  expect(drawn).toBeGreaterThanOrEqual(0);

  // Bob's other tab picks a new nickname: this page hears it, reconnects and joins again as a new player.
  await bob.evaluate(async () => {
    await fetch('/api/identity', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'Bobby' }),
    });
    new BroadcastChannel('fmp-identity').postMessage('changed');
  });
  await expect.poll(() => ann.getByTestId('players').innerText(), { timeout: 10_000 }).toContain('Bobby');

  // The page knows its new player id: it may guess, and later draw.
  const right = bob.getByTestId('guess-buttons').getByRole('button', { name: CLASS_NAMES[drawn], exact: true });
  await expect.poll(() => right.isEnabled(), { timeout: 10_000 }).toBe(true);
  await right.click();
  await expect
    .poll(() => bob.getByTestId('first-correct').innerText(), { timeout: 10_000 })
    .toMatch(/You were right first/);
  await expect.poll(() => ann.getByTestId('first-correct').innerText()).toMatch(/Bobby was right first/);
  await bob.getByRole('button', { name: /I draw/ }).click();
  await expect.poll(() => bob.getByTestId('room-banner').innerText()).toMatch(/Draw a \w/);
  await expect.poll(() => ann.getByTestId('room-banner').innerText()).toContain('Bobby is drawing');
});

it('leaves the room when the page goes, also by a link in the header (the connection stays open)', async () => {
  const ann = await joinAs('Ann', 1280, 'fitting');
  const bob = await joinAs('Bob', 820, 'fitting');
  await expect.poll(() => bob.getByTestId('players').innerText()).toContain('Ann');
  await ann.getByRole('button', { name: /I draw/ }).click();
  await expect.poll(() => bob.getByTestId('room-banner').innerText()).toContain('Ann is drawing');

  await ann.getByRole('navigation').getByRole('link', { name: 'Vote' }).click();
  await ann.waitForURL(/\/vote$/);
  // Bob's room no longer holds Ann, and her round ended with her: Bob may draw.
  await expect.poll(() => bob.getByTestId('players').innerText(), { timeout: 10_000 }).not.toContain('Ann');
  await expect.poll(() => bob.getByTestId('room-banner').innerText()).not.toContain('Ann is drawing');
  await bob.getByRole('button', { name: /I draw/ }).click();
  await expect.poll(() => bob.getByTestId('room-banner').innerText()).toMatch(/Draw a [A-Z]/);
});
