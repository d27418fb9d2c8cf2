/**
 * /draw in a real browser: an empty canvas sends nothing and says so; drawing with the mouse fills
 * the probability bars and the 28x28 view; undo and redo work from the keyboard; a confirmed
 * drawing is saved; the page fits a phone. Screenshots land in tests/artifacts/.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { TSHIRT_OUTLINE } from '../../server/recognition/bench/drawings';
import { artifactPath, drawShape, pageProblems } from '../helpers/browser';
import { withBrowserPlayground } from '../identity/harness';

const pg = withBrowserPlayground();

const barsSum = (page: Page) =>
  page.$$eval('[data-testid="probability-bars"] li', (items) =>
    items.reduce((s, li) => s + Number(li.getAttribute('data-probability')), 0),
  );

it('guesses while drawing, shows what the model sees, undoes, redoes and saves', async () => {
  const page = await pg.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = pageProblems(page);
  const recognizeFrames: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => String(f.payload).includes('draw:recognize') && recognizeFrames.push(String(f.payload))),
  );

  await page.goto(pg.server.url + '/draw');
  await page.getByTestId('sketch-canvas').locator('canvas').first().waitFor();
  await expect.poll(() => page.getByTestId('top-guess').innerText()).toContain('Draw something');
  await page.waitForTimeout(500);
  expect(recognizeFrames).toHaveLength(0); // an empty canvas sends nothing
  expect(await page.getByTestId('probability-bars').getAttribute('data-filled')).toBe('no');

  await drawShape(page, TSHIRT_OUTLINE);
  await expect
    .poll(() => page.getByTestId('probability-bars').getAttribute('data-filled'), { timeout: 10_000 })
    .toBe('yes');
  expect(await barsSum(page)).toBeCloseTo(1, 2);
  expect(recognizeFrames.length).toBeGreaterThan(0);
  // Throttled: fewer requests than mouse moves (13 segments x 6 steps). How many fewer depends on
  // how fast the machine moves the mouse; the throttle itself is checked on a frozen clock below.
  expect(recognizeFrames.length).toBeLessThan(13 * 6);
  expect(await page.getByTestId('top-guess').innerText()).not.toContain('Draw something');
  const inkInView = await page.getByTestId('model-view').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! > 128) lit++;
    return lit;
  });
  expect(inkInView).toBeGreaterThan(40);
  await page.screenshot({ path: artifactPath('draw-desktop.png'), fullPage: true });

  await page.keyboard.press('Control+z');
  await expect.poll(() => page.getByTestId('top-guess').innerText()).toContain('Draw something');
  expect(await page.getByTestId('probability-bars').getAttribute('data-filled')).toBe('no');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => page.getByTestId('probability-bars').getAttribute('data-filled')).toBe('yes');

  await page.getByRole('radio', { name: /T-shirt\/top/ }).click();
  // The label choice is a radio group: the arrow keys move the choice and the focus with it.
  const checked = (name: RegExp) => page.getByRole('radio', { name }).getAttribute('aria-checked');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => checked(/Trouser/)).toBe('true');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Trouser');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => checked(/T-shirt\/top/)).toBe('true');
  // Backspace on the focused label choice is not the "clear" shortcut: the drawing stays.
  const strokes = await page.getByTestId('sketch-canvas').getAttribute('aria-label');
  await page.keyboard.press('Backspace');
  await page.waitForTimeout(200);
  expect(await page.getByTestId('sketch-canvas').getAttribute('aria-label')).toBe(strokes);
  expect(strokes).not.toBe('Drawing area: 0 strokes');
  const saveButton = page.getByTestId('save-panel').getByRole('button', { name: /save it|save as/i });
  await saveButton.click();
  await expect
    .poll(() => page.getByTestId('save-panel').getByRole('status').innerText(), { timeout: 10_000 })
    .toContain('Saved anonymously.');
  // A browser without a nickname saves anonymously and can pick one right there to sign its drawings.
  expect(await page.getByTestId('save-author').innerText()).toContain('pick a nickname');
  const { getDb } = await import('../../server/db');
  const saved = await (await getDb()).drawing.findMany();
  expect(saved.map((d) => d.label)).toEqual([0]);

  await page.getByTestId('save-panel').locator('input[name="nickname"]').fill('Dana');
  await page.getByTestId('save-panel').getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => page.getByTestId('save-author').innerText()).toBe('Saved drawings are signed Dana.');
  await drawShape(page, [
    [0.45, 0.45],
    [0.55, 0.55],
  ]);
  await page.getByRole('radio', { name: /T-shirt\/top/ }).click();
  await saveButton.click();
  await expect
    .poll(() => page.getByTestId('save-panel').getByRole('status').innerText(), { timeout: 10_000 })
    .toContain('Saved under Dana.');
  const signed = await (await getDb()).drawing.findMany({ orderBy: { id: 'asc' }, include: { author: true } });
  expect(signed.map((d) => d.author?.nickname ?? null)).toEqual([null, 'Dana']);

  await page.goto(pg.server.url + '/sketches');
  await page.getByTestId('gallery').locator('img').first().waitFor({ timeout: 10_000 });
  await expect.poll(() => page.getByTestId('gallery').locator('li').count()).toBe(2);
  await page.screenshot({ path: artifactPath('sketches-desktop.png'), fullPage: true });
  await page.getByRole('tab', { name: 'Sandal' }).click();
  await page.getByTestId('gallery-empty').waitFor();
  expect(problems).toEqual([]);
  await page.close();
});

it('fits a phone screen and draws with touch-sized input', async () => {
  const page = await pg.browser.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
  });
  await page.goto(pg.server.url + '/draw');
  await page.getByTestId('sketch-canvas').locator('canvas').first().waitFor();
  await drawShape(page, TSHIRT_OUTLINE);
  await expect
    .poll(() => page.getByTestId('probability-bars').getAttribute('data-filled'), { timeout: 10_000 })
    .toBe('yes');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: artifactPath('draw-phone.png'), fullPage: true });
  await page.close();
});

it('draws with one pointer at a time: a second finger or a resting palm adds nothing to the stroke', async () => {
  const page = await pg.browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true });
  await page.goto(pg.server.url + '/draw');
  const canvas = page.getByTestId('sketch-canvas');
  await canvas.locator('canvas').first().waitFor();
  expect(await canvas.getAttribute('aria-label')).toBe('Drawing area: 0 strokes');
  // Two touches at once: finger 1 moves along the top, finger 2 along the bottom, their moves interleaved.
  await canvas.locator('.konvajs-content').evaluate((content: HTMLElement) => {
    const box = content.getBoundingClientRect();
    const fire = (type: string, pointerId: number, fx: number, fy: number, buttons: number) =>
      content.dispatchEvent(
        new PointerEvent(type, {
          pointerId,
          pointerType: 'touch',
          isPrimary: pointerId === 1,
          clientX: box.left + fx * box.width,
          clientY: box.top + fy * box.height,
          buttons,
          bubbles: true,
          cancelable: true,
        }),
      );
    fire('pointerdown', 1, 0.2, 0.2, 1);
    fire('pointerdown', 2, 0.2, 0.8, 1);
    for (let i = 1; i <= 12; i++) {
      fire('pointermove', 1, 0.2 + i * 0.05, 0.2, 1);
      fire('pointermove', 2, 0.2 + i * 0.05, 0.8, 1);
    }
    fire('pointerup', 2, 0.8, 0.8, 0);
    fire('pointermove', 1, 0.85, 0.2, 1);
    fire('pointerup', 1, 0.85, 0.2, 0);
  });
  await expect.poll(() => canvas.getAttribute('aria-label')).toBe('Drawing area: 1 stroke');
  // Ink along the top only: nothing crossed the middle or reached the bottom.
  const inkIn = (top: number, bottom: number) =>
    canvas
      .locator('canvas')
      .nth(1)
      .evaluate(
        (c: HTMLCanvasElement, [t, b]) => {
          const y0 = Math.floor(t * c.height);
          const d = c.getContext('2d')!.getImageData(0, y0, c.width, Math.floor(b * c.height) - y0).data;
          let ink = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i]! > 128) ink++;
          return ink;
        },
        [top, bottom],
      );
  expect(await inkIn(0.1, 0.3)).toBeGreaterThan(100);
  expect(await inkIn(0.35, 1)).toBe(0);
  await page.close();
});

it('sends the finished drawing the moment the pen lifts, not when the throttle next allows', async () => {
  const page = await pg.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.clock.install();
  // Socket.IO packets the page sends, over WebSocket or (before the upgrade) HTTP long-polling.
  const frames: string[] = [];
  const collect = (payload: string) =>
    frames.push(...payload.split('\x1e').filter((p) => p.includes('draw:recognize')));
  page.on('websocket', (ws) => ws.on('framesent', (f) => collect(String(f.payload))));
  page.on('request', (r) => r.method() === 'POST' && r.url().includes('/socket.io/') && collect(r.postData() ?? ''));
  await page.goto(pg.server.url + '/draw');
  await page.getByTestId('sketch-canvas').locator('canvas').first().waitFor();
  await expect.poll(() => page.getByTestId('top-guess').innerText()).toContain('Draw something');
  // From here the page's clock stands still: the throttle's timers never fire, so only a send made
  // at pointer-up itself can carry the finished stroke.
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  const box = (await page.getByTestId('sketch-canvas').boundingBox())!;
  await page.mouse.move(box.x + 100, box.y + 100);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 100 + 12 * i, box.y + 100 + 6 * i);
  // While the pen moves: the first point went at once, every later one waits for the throttle.
  await expect.poll(() => frames.length).toBe(1);
  const points = (frame: string) =>
    (JSON.parse(frame.slice(frame.indexOf('['))) as [string, { strokes: { points: number[] }[] }])[1].strokes[0]!.points
      .length / 2;
  expect(points(frames[0]!)).toBe(1);
  await page.mouse.up();
  await expect.poll(() => frames.length).toBe(2);
  expect(points(frames[1]!)).toBeGreaterThan(15);
  await expect.poll(() => page.getByTestId('probability-bars').getAttribute('data-filled')).toBe('yes');
  await page.close();
});
