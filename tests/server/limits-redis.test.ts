/**
 * Rate limits shared by several web nodes (issue 20): two Limits, each with its own connection to
 * the same Redis, count one guest together; a Limits whose Redis is unreachable still limits, per
 * process, through its insurance limiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, closeRedis } from '../../server/cluster/redis';
import { Limits, RateLimitError, type Actor, type LimitRules } from '../../server/limits';
import { deleteKeys, redisUrl, uniquePrefix, untilReady } from '../helpers/redis';

const prefix = uniquePrefix();
const rules: Partial<LimitRules> = {
  drawSave: { what: 'saved drawings', guest: { points: 3, seconds: 60 }, address: null },
};
const REFUSED = /^Too many saved drawings: at most 3 per minute per person; wait \d+ s and try again\.$/;

const nodeA = connectRedis(redisUrl(), { name: 'node A' });
const nodeB = connectRedis(redisUrl(), { name: 'node B' });
const down = connectRedis('redis://127.0.0.1:1', {
  name: 'unreachable',
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => 60_000,
});

beforeAll(() => untilReady(nodeA, nodeB));

afterAll(async () => {
  await closeRedis(nodeA, nodeB, down);
  await deleteKeys(prefix);
});

const actor = (guest: string): Actor => ({ guest, address: '203.0.113.1' });

/** The refusal's sentence, or 'ok'. */
async function take(limits: Limits, guest: string): Promise<string> {
  try {
    await limits.take('drawSave', actor(guest));
    return 'ok';
  } catch (err) {
    if (err instanceof RateLimitError) return err.message;
    throw err;
  }
}

describe('limits in Redis', () => {
  it('counts a guest on every node together, and no one else', async () => {
    const a = new Limits(rules, { redis: nodeA, keyPrefix: `${prefix}limit:` });
    const b = new Limits(rules, { redis: nodeB, keyPrefix: `${prefix}limit:` });
    expect([await take(a, 'ada'), await take(b, 'ada'), await take(a, 'ada')]).toEqual(['ok', 'ok', 'ok']);
    expect(await take(b, 'ada')).toMatch(REFUSED);
    expect(await take(a, 'ada')).toMatch(REFUSED);
    expect(await take(b, 'grace')).toBe('ok');
    // The counters are in Redis, under the prefix, and expire with the rule's period.
    const keys = await nodeA.keys(`${prefix}limit:drawSave:guest:*`);
    expect(keys.sort()).toEqual([`${prefix}limit:drawSave:guest:g:ada`, `${prefix}limit:drawSave:guest:g:grace`]);
    expect(await nodeA.ttl(keys[0]!)).toBeGreaterThan(55);
  });

  it('falls back to per-process limits while Redis is unreachable', async () => {
    const limits = new Limits(rules, { redis: down, keyPrefix: `${prefix}limit:` });
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await take(limits, 'ada'));
    expect(answers.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(answers[3]).toMatch(REFUSED);
    expect(await take(limits, 'grace')).toBe('ok');
    expect(Date.now() - started).toBeLessThan(1000); // answered at once, not after reconnect attempts
  });
});
