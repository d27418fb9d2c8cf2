/**
 * Storing a VAE assessment in the database: the model folder is registered as a 'vae' model
 * version (idempotent per training log) and the assessment saved against it, tagged 'assess'.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Assessment, Db, ModelVersion } from '../../db';
import { registerModelVersion, saveAssessment } from '../../db';
import type { VaeAssessment } from './quality';

export async function storeVaeAssessment(
  db: Db,
  modelDir: string,
  params: number,
  result: VaeAssessment,
): Promise<{ version: ModelVersion; assessment: Assessment }> {
  const logText = await readFile(path.join(modelDir, 'training-log.json'), 'utf8').catch(() => '{}');
  const version = await registerModelVersion(db, {
    kind: 'vae',
    name: path.basename(path.resolve(modelDir)),
    path: modelDir,
    params,
    trainingLog: JSON.parse(logText),
    metrics: {
      testElbo: result.testElbo.elbo,
      unfilteredAccuracy: result.overall.unfiltered.accuracy,
      filteredAccuracy: result.overall.filtered.accuracy,
      frechetRatio: result.frechet.ratio,
    },
  });
  // Through JSON: drops undefined fields (e.g. no CAS) that Prisma's Json input rejects.
  const assessment = await saveAssessment(db, version.id, 'assess', JSON.parse(JSON.stringify(result)));
  return { version, assessment };
}
