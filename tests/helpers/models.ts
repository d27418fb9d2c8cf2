/**
 * The tiny untrained classifier tests use wherever the rules, not the accuracy, are under test
 * (recognition replies, the judge's plumbing, saving and loading): 3 conv stages of 4, 8, 8 filters
 * and a 16-unit dense layer, seeded. Loaded lazily with the backend (which parses the environment),
 * so a test may import this before it starts a server.
 */
import type * as tfTypes from '@tensorflow/tfjs';

export const TINY_CNN = { filters: [4, 8, 8] as [number, number, number], dense: 16 };

export async function tinyCnn(seed?: number): Promise<tfTypes.LayersModel> {
  const { initBackend } = await import('../../server/ml/backend');
  const { buildCnn } = await import('../../server/ml/models/cnn');
  await initBackend();
  return buildCnn(TINY_CNN, seed);
}
