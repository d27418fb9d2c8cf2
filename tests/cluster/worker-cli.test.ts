/**
 * `npm run worker` refuses what it cannot do in one sentence, before it takes any job: no Redis,
 * a place to train it does not know, and several sessions at once in its own main thread (where a
 * native backend trains: one accelerator, one session).
 */
import { describe, expect, it } from 'vitest';
import { errorLines, runCliScript } from '../helpers/cli';
import { redisUrl } from '../helpers/redis';

describe('npm run worker', () => {
  it('needs REDIS_URL', async () => {
    const r = await runCliScript('worker', [], { REDIS_URL: '' });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/A trainer needs REDIS_URL .*"Several machines"/)]);
  });

  it('refuses an unknown place to train', async () => {
    const r = await runCliScript('worker', ['--training', 'gpu'], { REDIS_URL: redisUrl() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /--training <where>' argument 'gpu' is invalid\. Allowed choices are auto, in-process, threads/,
    );
  });

  it('takes one session at a time when it trains in its own process', async () => {
    const r = await runCliScript('worker', ['--training', 'in-process', '--slots', '2'], { REDIS_URL: redisUrl() });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(
        /trains in its own process takes one session at a time \(got 2 slots\); start another trainer/,
      ),
    ]);
  }, 60_000);
});
