import { describe, expect, it } from 'vitest';
import { spawnTsWorker } from '../../../server/threads/spawn';
import { initBackend } from '../../../server/ml/backend';

type Probe = { info: { name: string }; active: string; sum: number };

function probe(): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const worker = spawnTsWorker(new URL('./worker-probe.ts', import.meta.url), {});
    worker.once('message', (m: Probe) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('initBackend in worker threads', () => {
  it('each worker gets the same backend as the main thread and can train a conv', async () => {
    const main = await initBackend();
    const results = await Promise.all([probe(), probe()]);
    for (const r of results) {
      expect(r.info.name).toBe(main.name);
      expect(r.active).toBe(main.name.startsWith('tfjs-node') ? 'tensorflow' : main.name);
      // d/dW of sum(conv(ones, W)) counts, per tap, the output pixels that tap touches: 2 images x
      // (5x5 minus the rows/columns the tap hangs off) x 4 output channels; summed over 3x3x3 taps.
      expect(r.sum).toBe(2 * 4 * 3 * (25 + 4 * 20 + 4 * 16));
    }
  });
});
