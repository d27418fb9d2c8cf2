/**
 * The candidate generator's worker, let go (a fourth picked VAE version evicts one) while a round
 * waits on it: the round is answered with an error, never left waiting, and a generator let go
 * starts no worker nobody tracks. Worker errors reach people without the server's paths.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandidateGenerator } from '../../server/realtime/voting/generator';
import { tinyModels, type TinyModels } from '../identity/harness';

let models: TinyModels;

beforeAll(async () => {
  models = await tinyModels();
}, 60_000);

afterAll(async () => {
  await models?.remove();
});

const fresh = { kind: 'fresh', label: 3, count: 2, bestOf: 2, seed: 1 } as const;

describe('CandidateGenerator', () => {
  it('generates, then answers a request pending at dispose with an error instead of never', async () => {
    const g = new CandidateGenerator(models.vaeDir, models.judgeDir);
    const first = await g.generate(fresh);
    expect(first).toHaveLength(2);
    expect(g.busy).toBe(false);

    const pending = g.generate({ ...fresh, seed: 2 });
    expect(g.busy).toBe(true);
    const answered = expect(pending).rejects.toThrow(/closed; try again/);
    await g.dispose();
    await answered;
    expect(g.busy).toBe(false);
    // Let go: it refuses instead of starting a worker nothing would stop.
    await expect(g.generate(fresh)).rejects.toThrow(/closed meanwhile; try again/);
  }, 60_000);

  it("reports a worker's failure without the server's file paths", async () => {
    const g = new CandidateGenerator(models.vaeDir, models.judgeDir);
    try {
      // A VAE folder that passes the check but whose weights are not there.
      const broken = path.join(path.dirname(models.vaeDir), 'broken-vae');
      const { mkdir, copyFile } = await import('node:fs/promises');
      await mkdir(path.join(broken, 'decoder'), { recursive: true });
      await copyFile(path.join(models.vaeDir, 'decoder', 'model.json'), path.join(broken, 'decoder', 'model.json'));
      const err = await g.generate({ ...fresh, vaeDir: broken }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^Generating candidates failed/);
      expect((err as Error).message).not.toContain(path.dirname(models.vaeDir));
    } finally {
      await g.dispose();
    }
  }, 60_000);
});
