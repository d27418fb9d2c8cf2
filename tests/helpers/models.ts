/**
 * The tiny untrained classifier tests use wherever the rules, not the accuracy, are under test
 * (recognition replies, the judge's plumbing, saving and loading): 3 conv stages of 4, 8, 8 filters
 * and a 16-unit dense layer, seeded. Loaded lazily with the backend (which parses the environment),
 * so a test may import this before it starts a server.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Db } from '../../server/db';

export const TINY_CNN = { filters: [4, 8, 8] as [number, number, number], dense: 16 };

export async function tinyCnn(seed?: number): Promise<tfTypes.LayersModel> {
  const { initBackend } = await import('../../server/ml/backend');
  const { buildCnn } = await import('../../server/ml/models/cnn');
  await initBackend();
  return buildCnn(TINY_CNN, seed);
}

/**
 * Registers `count` CNN versions newer than every other (their files are nowhere), which push the
 * older versions off the lists of the newest 200.
 */
export async function registerNewerVersions(db: Db, count = 200): Promise<void> {
  await db.modelVersion.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      kind: 'cnn' as const,
      name: `filler-${i}`,
      path: `/nowhere/filler-${i}`,
      params: 1,
      trainingLog: {},
      trainingLogHash: `filler-${i}`,
    })),
  });
}
