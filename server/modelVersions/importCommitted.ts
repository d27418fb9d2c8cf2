/**
 * First start of a fresh install: the committed models (MODELS_DIR/cnn and /vae) become model
 * versions with the assessments they were committed with, so /assessments and /models are not
 * empty before anyone runs a CLI. The CNN's figures come from its training log (the last epoch's
 * full test-set evaluation); the VAE's from its assessment/assessment.json (npm run assess).
 * Idempotent: a version that already has its imported assessment is left alone.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Prisma } from '../db';
import { registerModelVersion } from '../db/repositories/modelVersions';

export const IMPORT_SOURCES = { cnn: 'committed training log', vae: 'committed assess' } as const;

type Json = Record<string, unknown>;
const readJson = async (file: string): Promise<Json | null> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Json;
  } catch {
    return null;
  }
};
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** Registers the committed models and their assessments; returns the assessments it added. */
export async function importCommittedModels(db: Db, modelsDir: string): Promise<number> {
  let added = 0;
  const cnnDir = path.join(modelsDir, 'cnn');
  const cnnLog = await readJson(path.join(cnnDir, 'training-log.json'));
  const last = obj(Array.isArray(cnnLog?.epochs) ? cnnLog.epochs.at(-1) : undefined);
  const evaluation = obj(last.evaluation);
  if (cnnLog && typeof evaluation.testAccuracy === 'number') {
    const params = Number(obj(cnnLog.architecture).params) || 0;
    const version = await registerModelVersion(db, {
      kind: 'cnn',
      name: path.basename(path.resolve(cnnDir)),
      path: cnnDir,
      params,
      trainingLog: cnnLog as Prisma.InputJsonValue,
    });
    if (version.metrics === null)
      await db.modelVersion.update({
        where: { id: version.id },
        data: { metrics: { accuracy: evaluation.testAccuracy } },
      });
    if (!(await db.assessment.findFirst({ where: { modelVersionId: version.id, source: IMPORT_SOURCES.cnn } }))) {
      await db.assessment.create({
        data: {
          modelVersionId: version.id,
          source: IMPORT_SOURCES.cnn,
          metrics: {
            accuracy: evaluation.testAccuracy,
            testLoss: evaluation.testLoss ?? null,
            perClassAccuracy: evaluation.perClassAccuracy ?? [],
            confusionMatrix: evaluation.confusionMatrix ?? [],
            testImages: cnnLog.testImages ?? null,
            params,
            epoch: last.epoch ?? null,
            model: cnnDir,
          } as Prisma.InputJsonValue,
        },
      });
      added++;
    }
  }
  const vaeDir = path.join(modelsDir, 'vae');
  const vaeLog = await readJson(path.join(vaeDir, 'training-log.json'));
  const vaeAssessment = await readJson(path.join(vaeDir, 'assessment', 'assessment.json'));
  if (vaeLog && vaeAssessment) {
    const version = await registerModelVersion(db, {
      kind: 'vae',
      name: path.basename(path.resolve(vaeDir)),
      path: vaeDir,
      params: Number(vaeAssessment.params) || 0,
      trainingLog: vaeLog as Prisma.InputJsonValue,
    });
    if (version.metrics === null) {
      await db.modelVersion.update({
        where: { id: version.id },
        data: {
          metrics: {
            filteredAccuracy: obj(obj(vaeAssessment.overall).filtered).accuracy ?? null,
            frechetRatio: obj(vaeAssessment.frechet).ratio ?? null,
          } as Prisma.InputJsonValue,
        },
      });
    }
    if (!(await db.assessment.findFirst({ where: { modelVersionId: version.id, source: IMPORT_SOURCES.vae } }))) {
      await db.assessment.create({
        data: {
          modelVersionId: version.id,
          source: IMPORT_SOURCES.vae,
          metrics: vaeAssessment as Prisma.InputJsonValue,
        },
      });
      added++;
    }
  }
  return added;
}
