/**
 * First start of a fresh install: the committed models (MODELS_DIR/cnn and /vae) become model
 * versions with the assessments they were committed with, so /assessments and /models are not
 * empty before anyone runs a CLI. The CNN's figures come from its training log: those of the model
 * as saved (committedCnnFigures); the VAE's from its assessment/assessment.json (npm run assess).
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

/** The test-set figures of a committed classifier, from its training log, and which weights they are. */
export interface CommittedCnnFigures {
  testAccuracy: number;
  testLoss: number | null;
  perClassAccuracy: unknown[];
  confusionMatrix: unknown[];
  /** the epoch (from 1) whose weights were saved */
  epoch: number | null;
  /** which weights the figures are of */
  weights: 'served (mirror averaging)' | 'trained' | 'average';
  /** the network alone, when the saved model averages over mirror images */
  bareAccuracy?: number;
}

/**
 * The figures of the model as it was saved: with --mirror-average, the mirror-averaging model's
 * (`mirrorAveraging.withMirror`); otherwise those of the weights the run saved, which with a
 * validation split are the trained or averaged weights of the epoch best on validation
 * (`selection.best`), not necessarily the last epoch's trained weights; without one, the last epoch.
 */
export function committedCnnFigures(log: Json): CommittedCnnFigures | null {
  const epochs = Array.isArray(log.epochs) ? log.epochs.map(obj) : [];
  const best = obj(obj(log.selection).best);
  const chosen =
    typeof best.epoch === 'number' ? epochs.find((e) => e.epoch === best.epoch) : (epochs.at(-1) ?? undefined);
  if (!chosen) return null;
  const average = best.weights === 'average';
  const evaluation = average ? obj(obj(chosen.evaluation).average) : obj(chosen.evaluation);
  const epoch = typeof chosen.epoch === 'number' ? chosen.epoch + 1 : null;
  const { withMirror, withoutMirror } = obj(log.mirrorAveraging);
  const served = typeof obj(withMirror).testAccuracy === 'number';
  const from = served ? obj(withMirror) : evaluation;
  if (typeof from.testAccuracy !== 'number') return null;
  const bare = obj(withoutMirror).testAccuracy;
  return {
    testAccuracy: from.testAccuracy,
    testLoss: typeof from.testLoss === 'number' ? from.testLoss : null,
    perClassAccuracy: Array.isArray(from.perClassAccuracy) ? from.perClassAccuracy : [],
    confusionMatrix: Array.isArray(from.confusionMatrix) ? from.confusionMatrix : [],
    epoch,
    weights: served ? 'served (mirror averaging)' : average ? 'average' : 'trained',
    ...(served && typeof bare === 'number' ? { bareAccuracy: bare } : {}),
  };
}

/** Registers the committed models and their assessments; returns the assessments it added. */
export async function importCommittedModels(db: Db, modelsDir: string): Promise<number> {
  let added = 0;
  const cnnDir = path.join(modelsDir, 'cnn');
  const cnnLog = await readJson(path.join(cnnDir, 'training-log.json'));
  const figures = cnnLog ? committedCnnFigures(cnnLog) : null;
  if (cnnLog && figures) {
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
        data: { metrics: { accuracy: figures.testAccuracy } },
      });
    if (!(await db.assessment.findFirst({ where: { modelVersionId: version.id, source: IMPORT_SOURCES.cnn } }))) {
      await db.assessment.create({
        data: {
          modelVersionId: version.id,
          source: IMPORT_SOURCES.cnn,
          metrics: {
            accuracy: figures.testAccuracy,
            ...(figures.bareAccuracy !== undefined ? { bareAccuracy: figures.bareAccuracy } : {}),
            testLoss: figures.testLoss,
            perClassAccuracy: figures.perClassAccuracy,
            confusionMatrix: figures.confusionMatrix,
            testImages: cnnLog.testImages ?? null,
            params,
            epoch: figures.epoch,
            weights: figures.weights,
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
