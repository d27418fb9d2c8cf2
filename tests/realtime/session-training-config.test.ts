import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionConfigSchema } from '../../lib/protocol';
import { trainingConfigFor } from '../../server/realtime/sessions/trainingConfig';
import { VaeArchSchema } from '../../server/ml/models/vae';

const paths = { sessionId: 's1', outDir: '/tmp/s1', testLimit: 500 };

describe("a session's training configuration", () => {
  it('trains a VAE as the committed one by default: beta 0.1, the perceptual loss with the committed feature CNN and the adversarial critic', () => {
    const cfg = trainingConfigFor(SessionConfigSchema.parse({ name: 'v', kind: 'vae' }), paths);
    const arch = VaeArchSchema.parse(cfg.arch);
    const committed = VaeArchSchema.parse(JSON.parse(readFileSync('models/vae/training-log.json', 'utf8')).config.arch);
    expect(arch).toMatchObject({ beta: 0.1, perceptualWeight: 1, perceptualLayers: 3, adversarialWeight: 40 });
    expect(arch).toMatchObject({
      beta: committed.beta,
      perceptualWeight: committed.perceptualWeight,
      perceptualLayers: committed.perceptualLayers,
      adversarialWeight: committed.adversarialWeight,
    });
    expect(existsSync(path.join(arch.perceptualModel!, 'model.json'))).toBe(true);
    expect(cfg.replicas).toBe(1);
  });

  it('leaves the perceptual loss and the critic out when the creator unticks them, and never gives a CNN a VAE architecture', () => {
    const plain = trainingConfigFor(
      SessionConfigSchema.parse({ name: 'v', kind: 'vae', perceptual: false, adversarial: false, beta: 0.5 }),
      paths,
    );
    expect(VaeArchSchema.parse(plain.arch)).toMatchObject({ beta: 0.5, perceptualWeight: 0, adversarialWeight: 0 });
    expect(plain.arch).not.toHaveProperty('perceptualModel');
    expect(trainingConfigFor(SessionConfigSchema.parse({ name: 'c' }), paths).arch).toEqual({});
  });

  it('refuses a perceptual or adversarial flag that is not a boolean', () => {
    expect(SessionConfigSchema.safeParse({ name: 'v', kind: 'vae', perceptual: 'yes' }).success).toBe(false);
    expect(SessionConfigSchema.safeParse({ name: 'v', kind: 'vae', adversarial: 1 }).success).toBe(false);
  });
});
