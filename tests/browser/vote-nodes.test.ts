/**
 * The vote page on one of two web nodes, watching a round that runs on the other: when that node
 * is gone (and its owner key with it), the page still sees the round close once its time is past,
 * instead of showing it open with 0 s left forever (it asks again; a live node takes the round over).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { uniquePrefix } from '../helpers/redis';
import { ok, pickNickname, withTinyNodes } from '../identity/harness';

const redisPrefix = uniquePrefix();
const nodes = withTinyNodes({ redisPrefix, pages: true });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

it('shows a round whose node is gone closed once its time is past', async () => {
  const { cookie } = await pickNickname(nodes.b.url, 'host');
  const host = await nodes.connect(nodes.b, cookie);
  const { round } = await ok(host, 'vote:start', { room: 'vote', durationSeconds: 15 });
  const page = await browser.newPage();
  try {
    await page.goto(nodes.a.url + '/vote');
    const status = page.getByTestId('round-status');
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toMatch(/^Round 1 .*s left$/);

    // Node B stops without closing its round; its owner key is gone, as once it expires.
    await nodes.b.close();
    await nodes.a.redis!.del(`${redisPrefix}vote:owner:vote`);

    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toMatch(/^Round 1 .*: closed$/);
    expect((await nodes.a.db.voteRound.findUniqueOrThrow({ where: { id: round.id } })).state).toBe('closed');
  } finally {
    await page.close();
  }
}, 300_000);
