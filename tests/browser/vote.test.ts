/**
 * Voting in two real browser pages: both pick a nickname and see the same round; a vote on one
 * page updates the tally on the other. Tiny untrained models stand in for the VAE and judge.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactPath, launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';
import { tinyModelFolders, tinyModels, type TinyModels } from '../identity/harness';

let server: TestServer;
let browser: Browser;
let models: TinyModels;

beforeAll(async () => {
  // The server parses the environment first (startTestServer), so the models, which load the
  // backend and with it the environment, are written afterwards; the generator loads them lazily.
  models = await tinyModelFolders();
  [server, browser] = await Promise.all([
    startTestServer({
      identity: { secret: 'browser-test-secret-0123456789abcdef0123' },
      voting: { vaeDir: models.vaeDir, judgeDir: models.judgeDir, settings: { candidates: 8, bestOf: 2 } },
      pages: true,
    }),
    launchBrowser(),
  ]);
  await tinyModels(models);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await models?.remove();
});

async function visitAs(nickname: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(server.url + '/vote');
  await page.locator('input[name="nickname"]').fill(nickname);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByTestId('nickname').innerText()).toBe(nickname);
  return page;
}

it('shows a vote cast on one page in the tally on the other', async () => {
  const ann = await visitAs('Ann <i>the host</i>');
  const bob = await visitAs('Bob');
  await ann.getByRole('button', { name: 'Start a round' }).click();
  await bob.getByTestId('candidate-0').waitFor({ timeout: 30_000 });
  await expect.poll(() => bob.getByTestId('round-status').innerText()).toMatch(/Round 1 .*hosted by Ann <i>the host<\/i>/);
  // The nickname is text: no <i> element was made from it.
  expect(await bob.getByTestId('round-status').locator('i').count()).toBe(0);

  const bobTally = bob.getByTestId('candidate-0').getByTestId('tally');
  expect(await bobTally.innerText()).toBe('0');
  await ann.getByTestId('candidate-0').getByRole('button', { name: 'keep' }).click();
  await expect.poll(() => bobTally.innerText(), { timeout: 10_000 }).toBe('1');
  await bob.getByTestId('candidate-0').getByRole('button', { name: 'keep' }).click();
  await expect.poll(() => ann.getByTestId('candidate-0').getByTestId('tally').innerText(), { timeout: 10_000 }).toBe('2');
  await bob.getByTestId('candidate-1').getByRole('button', { name: 'discard' }).click();
  await expect.poll(() => ann.getByTestId('candidate-1').getByTestId('tally').innerText(), { timeout: 10_000 }).toBe('-1');
  await bob.screenshot({ path: artifactPath('vote-two-pages.png'), fullPage: true });
}, 120_000);
