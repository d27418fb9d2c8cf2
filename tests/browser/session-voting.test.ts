/**
 * Voting inside a live VAE session, in a real browser with two people (two browser contexts): the
 * host creates a VAE session on /sessions (choosing their nickname there, which /vote then shows),
 * a guest picks a nickname on /vote and opens the session's link; after epoch 1 the host opens a
 * voting round on the session page, both vote, both see the same live tallies, the host closes it
 * and the winner is in /gallery, its page linking back to the session and the epoch.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifactPath } from '../helpers/browser';
import { withBrowserPlayground } from '../identity/harness';

const pg = withBrowserPlayground({
  sessions: { dataDir: path.resolve('tests/fixtures/fashion-mnist'), testLimit: 200 },
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
  return errors;
}

const tally = (page: Page, position: number) =>
  page.getByTestId('session-voting').getByTestId(`candidate-${position}`).getByTestId('tally').innerText();

it('a host opens a round in a VAE session after epoch 1; both vote, see the same tallies, and the winner reaches the gallery', {
  timeout: 300_000,
}, async () => {
  const hostContext = await pg.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const guestContext = await pg.browser.newContext({ viewport: { width: 820, height: 1000 } });
  const host = await hostContext.newPage();
  const guest = await guestContext.newPage();
  const errors = [...watchErrors(host), ...watchErrors(guest)];

  // The host chooses their nickname in the session form on /sessions.
  await host.goto(pg.server.url + '/sessions');
  await host.locator('[data-testid="session-list"][data-state="filled"]').waitFor();
  const form = host.getByTestId('create-session');
  await form.getByRole('radio', { name: 'Generator (VAE)' }).click();
  await form.locator('input[name="name"]').fill('Voting show');
  await form.locator('input[name="epochs"]').fill('2');
  await form.locator('select[name="trainLimit"]').selectOption('1000');
  await form.locator('input[name="perceptual"]').uncheck();
  await form.locator('input[name="adversarial"]').uncheck();
  await form.locator('input[name="nickname"]').fill('Ada');
  await form.getByRole('button', { name: 'Create and open' }).click();
  await host.waitForURL(/\/sessions\/[a-z0-9]+$/);
  const sessionUrl = host.url();
  const sessionId = sessionUrl.split('/').at(-1)!;
  await host.getByTestId('host-controls').waitFor();

  // The nickname chosen on /sessions is the one /vote shows (another tab of the same browser).
  const hostVote = await hostContext.newPage();
  await hostVote.goto(pg.server.url + '/vote');
  await expect.poll(() => hostVote.getByTestId('nickname').innerText()).toBe('Ada');
  await hostVote.close();

  // The guest picks a nickname on /vote and opens the session's link.
  await guest.goto(pg.server.url + '/vote');
  await guest.locator('input[name="nickname"]').fill('Bob');
  await guest.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => guest.getByTestId('nickname').innerText()).toBe('Bob');
  await guest.goto(sessionUrl);
  await guest.getByTestId('host-note').waitFor();
  await expect.poll(() => guest.getByTestId('nickname').innerText()).toBe('Bob');
  await expect.poll(() => host.getByTestId('viewer-count').innerText()).toBe('2');
  expect(await guest.getByTestId('vote-host-note').innerText()).toContain('Ada can open a voting round');

  await host.getByRole('button', { name: 'Start training' }).click();
  const open = host.getByRole('button', { name: 'Open a voting round on epoch 1' });
  await open.waitFor({ timeout: 120_000 });
  await open.click();

  // Both pages show the round's candidates, from epoch 1's weights.
  for (const page of [host, guest]) {
    await page.getByTestId('session-voting').getByTestId('candidate-0').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('round-status').innerText())
      .toMatch(/Round 1 .*on epoch 1's weights hosted by Ada/);
  }
  expect(await guest.getByRole('button', { name: 'Close now' }).count()).toBe(0);

  // Both vote; both see the same live tallies.
  await host.getByTestId('session-voting').getByTestId('candidate-0').getByRole('button', { name: 'keep' }).click();
  await expect.poll(() => tally(guest, 0), { timeout: 10_000 }).toBe('1');
  await guest.getByTestId('session-voting').getByTestId('candidate-0').getByRole('button', { name: 'keep' }).click();
  await guest.getByTestId('session-voting').getByTestId('candidate-1').getByRole('button', { name: 'discard' }).click();
  for (const page of [host, guest]) {
    await expect.poll(() => tally(page, 0), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => tally(page, 1), { timeout: 10_000 }).toBe('-1');
  }
  await guest.screenshot({ path: artifactPath('session-voting-guest.png'), fullPage: true });

  // The host closes it; the winner is in the gallery, and its page links back to the session and epoch.
  await host.getByRole('button', { name: 'Close now' }).click();
  const winnerLink = guest
    .getByTestId('session-voting')
    .getByTestId('candidate-0')
    .getByRole('link', { name: 'in the gallery →' });
  await winnerLink.waitFor({ timeout: 10_000 });
  const itemPath = (await winnerLink.getAttribute('href'))!;
  await guest.goto(pg.server.url + '/gallery');
  await guest.locator(`a[href="${itemPath}"]`).first().waitFor({ timeout: 10_000 });
  await guest.locator(`a[href="${itemPath}"]`).first().click();
  await guest.getByTestId('item-session').waitFor();
  expect(await guest.getByTestId('item-session').innerText()).toContain('Voting show, from its weights after epoch 1');
  expect(await guest.getByTestId('item-session').getByRole('link').getAttribute('href')).toBe(`/sessions/${sessionId}`);
  await host.screenshot({ path: artifactPath('session-voting-host.png'), fullPage: true });
  expect(errors).toEqual([]);
});
