/**
 * Voting in two real browser pages: both pick a nickname and see the same round; a vote on one
 * page updates the tally on the other. Tiny untrained models stand in for the VAE and judge.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifactPath } from '../helpers/browser';
import { withBrowserPlayground } from '../identity/harness';

const pg = withBrowserPlayground({ voting: { settings: { candidates: 8 } } });

async function visitAs(nickname: string): Promise<Page> {
  const page = await pg.browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(pg.server.url + '/vote');
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
  await expect
    .poll(() => bob.getByTestId('round-status').innerText())
    .toMatch(/Round 1 .*hosted by Ann <i>the host<\/i>/);
  // The nickname is text: no <i> element was made from it.
  expect(await bob.getByTestId('round-status').locator('i').count()).toBe(0);

  const bobTally = bob.getByTestId('candidate-0').getByTestId('tally');
  expect(await bobTally.innerText()).toBe('0');
  await ann.getByTestId('candidate-0').getByRole('button', { name: 'keep' }).click();
  await expect.poll(() => bobTally.innerText(), { timeout: 10_000 }).toBe('1');
  await bob.getByTestId('candidate-0').getByRole('button', { name: 'keep' }).click();
  await expect
    .poll(() => ann.getByTestId('candidate-0').getByTestId('tally').innerText(), { timeout: 10_000 })
    .toBe('2');
  await bob.getByTestId('candidate-1').getByRole('button', { name: 'discard' }).click();
  await expect
    .poll(() => ann.getByTestId('candidate-1').getByTestId('tally').innerText(), { timeout: 10_000 })
    .toBe('-1');
  // A screen reader hears which garment each button is for and whether it is this page's vote.
  const keep = bob.getByTestId('candidate-0').getByRole('button', { name: /^keep / });
  expect(await keep.getAttribute('aria-label')).toMatch(/^keep [A-Z][\w/ -]+, candidate 1$/);
  await expect.poll(() => keep.getAttribute('aria-pressed')).toBe('true');
  expect(
    await bob
      .getByTestId('candidate-1')
      .getByRole('button', { name: /^discard / })
      .getAttribute('aria-pressed'),
  ).toBe('true');
  expect(
    await ann
      .getByTestId('candidate-1')
      .getByRole('button', { name: /^discard / })
      .getAttribute('aria-pressed'),
  ).toBe('false');
  await bob.screenshot({ path: artifactPath('vote-two-pages.png'), fullPage: true });
}, 120_000);
