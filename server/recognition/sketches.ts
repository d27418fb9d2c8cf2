/**
 * Drawings people confirmed: saving one (the server re-computes the 28x28 image and the guess from
 * the strokes, so a client cannot store an image the model never saw) and listing them for the
 * community gallery and for fine-tuning.
 */
import { UserFacingError } from '../errors';
import type { Db } from '../db';
import { registerModelVersion } from '../db/repositories/modelVersions';
import { saveDrawing } from '../db/repositories/drawings';
import { encodeGreyPng, pngDataUrl } from '../ml/image/png';
import { imageToBytes, type Stroke } from '../../lib/sketch/preprocess';
import type { Recognizer } from './recognizer';

export interface ConfirmedDrawing {
  strokes: Stroke[];
  /** Class index 0-9 the author says it is. */
  label: number;
  /** A Guest id, or null for an anonymous drawing. */
  authorId: string | null;
}

export interface SavedDrawing {
  id: number;
  guess: number;
  modelVersion: string;
}

/** Model version string -> database id, so each model is registered once per process. */
const versionIds = new Map<string, number>();

export async function saveConfirmedDrawing(
  db: Db,
  recognizer: Recognizer,
  input: ConfirmedDrawing,
): Promise<SavedDrawing> {
  if (input.authorId) {
    const guest = await db.guest.findUnique({ where: { id: input.authorId }, select: { id: true } });
    if (!guest)
      throw new UserFacingError('Your guest identity is unknown to this server: reload the page and save again.');
  }
  const recognition = await recognizer.recognize(input.strokes, { image: true });
  const model = await recognizer.model();
  let modelVersionId = versionIds.get(model.version);
  if (modelVersionId === undefined) {
    const version = await registerModelVersion(db, {
      kind: 'cnn',
      name: model.version.split('@')[0]!,
      path: model.dir,
      params: model.params,
      trainingLog: model.trainingLog as object,
    });
    modelVersionId = version.id;
    versionIds.set(model.version, modelVersionId);
  }
  const saved = await saveDrawing(db, {
    authorId: input.authorId,
    strokes: input.strokes.map((s) => ({ points: s.points, width: s.width, tool: s.tool ?? 'pen' })),
    image: encodeGreyPng(imageToBytes(recognition.image!), 28, 28),
    label: input.label,
    guess: recognition.guess,
    modelVersionId,
  });
  return { id: saved.id, guess: recognition.guess, modelVersion: recognition.modelVersion };
}

export interface SketchPage {
  sketches: { id: number; label: number; guess: number; image: string; author: string | null; createdAt: string }[];
  hasMore: boolean;
}

/** Newest first, optionally one class, `limit` per page, before the drawing `beforeId`. */
export async function listSketches(
  db: Db,
  filter: { label: number | null; limit: number; beforeId: number | null },
): Promise<SketchPage> {
  const rows = await db.drawing.findMany({
    where: {
      ...(filter.label === null ? {} : { label: filter.label }),
      ...(filter.beforeId === null ? {} : { id: { lt: filter.beforeId } }),
    },
    orderBy: { id: 'desc' },
    take: filter.limit + 1,
    select: {
      id: true,
      label: true,
      guess: true,
      image: true,
      createdAt: true,
      author: { select: { nickname: true } },
    },
  });
  return {
    sketches: rows.slice(0, filter.limit).map((r) => ({
      id: r.id,
      label: r.label,
      guess: r.guess,
      image: pngDataUrl(r.image),
      author: r.author?.nickname ?? null,
      createdAt: r.createdAt.toISOString(),
    })),
    hasMore: rows.length > filter.limit,
  };
}
