/**
 * Model versions as people pick them: every registered model (a committed folder, a CLI run, a
 * finished session) with who trained it and when, which one the server serves by default per kind,
 * and where its files are. The default changes only through `setServed`, which the socket handler
 * calls after checking the operator's credential (server/admin.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Db, ModelKind, ModelVersion } from '../db';
import { projectRelative } from '../db/repositories/modelVersions';
import { UserFacingError } from '../errors';

/** The folder of a version on disk (stored relative to the project root). */
export function versionDir(version: Pick<ModelVersion, 'path'>): string {
  return path.resolve(process.cwd(), version.path);
}

/** "<folder name>@<first 8 hex of the training log's hash>": what the recognizer reports as modelVersion. */
export function versionTag(version: Pick<ModelVersion, 'path' | 'trainingLogHash'>): string {
  return `${path.basename(versionDir(version))}@${version.trainingLogHash.slice(0, 8)}`;
}

/** Whether the version's model files are still on disk (a session folder may have been deleted). */
export function versionFilesExist(version: Pick<ModelVersion, 'path' | 'kind'>): boolean {
  const dir = versionDir(version);
  return version.kind === 'cnn'
    ? existsSync(path.join(dir, 'model.json'))
    : existsSync(path.join(dir, 'decoder', 'model.json'));
}

/** A version by id, of the given kind; refused with a sentence when there is none. */
export async function findVersion(db: Db, id: number, kind?: ModelKind): Promise<ModelVersion> {
  const version = await db.modelVersion.findUnique({ where: { id } });
  if (!version) throw new UserFacingError(`There is no model version ${id}; pick one from the list on /models.`);
  if (kind && version.kind !== kind) {
    throw new UserFacingError(
      `Model version ${id} is a ${version.kind.toUpperCase()}, not a ${kind.toUpperCase()}; pick a ${kind.toUpperCase()} version.`,
    );
  }
  if (!versionFilesExist(version)) {
    throw new UserFacingError(
      `The files of model version ${id} are no longer on this server (${version.path}); pick another version.`,
    );
  }
  return version;
}

/**
 * The version served by default for a kind: the operator's choice when one was made, else the
 * newest registered version of the default folder (MODELS_DIR/cnn or /vae); null when neither exists.
 */
export async function servedVersion(db: Db, kind: ModelKind, defaultDir: string): Promise<ModelVersion | null> {
  const chosen = await db.servedModel.findUnique({ where: { kind }, include: { modelVersion: true } });
  if (chosen && versionFilesExist(chosen.modelVersion)) return chosen.modelVersion;
  return db.modelVersion.findFirst({
    where: { kind, path: projectRelative(defaultDir) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

/** The operator's choice of the default version (call only after checkAdmin). */
export async function setServed(db: Db, id: number): Promise<ModelVersion> {
  const version = await findVersion(db, id);
  await db.servedModel.upsert({
    where: { kind: version.kind },
    create: { kind: version.kind, modelVersionId: id },
    update: { modelVersionId: id },
  });
  return version;
}

export interface VersionSummary {
  id: number;
  kind: ModelKind;
  name: string;
  path: string;
  tag: string;
  params: number;
  createdAt: string;
  metrics: unknown;
  served: boolean;
  available: boolean;
  /** The live session that trained it, when one did. */
  session: { id: string; name: string; hostNickname: string; createdAt: string } | null;
  assessments: number;
}

/** Every version (optionally of one kind), newest first, with the served ones marked. */
export async function listVersions(
  db: Db,
  kind: ModelKind | null,
  defaultDirs: Record<ModelKind, string>,
): Promise<VersionSummary[]> {
  const rows = await db.modelVersion.findMany({
    where: kind ? { kind } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 200,
    select: {
      id: true,
      kind: true,
      name: true,
      path: true,
      trainingLogHash: true,
      params: true,
      createdAt: true,
      metrics: true,
      trainingSessions: { select: { id: true, name: true, hostNickname: true, createdAt: true }, take: 1 },
      _count: { select: { assessments: true } },
    },
  });
  const served = new Set<number>();
  for (const k of kind ? [kind] : (['cnn', 'vae'] as const)) {
    const s = await servedVersion(db, k, defaultDirs[k]);
    if (s) served.add(s.id);
  }
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    path: r.path,
    tag: versionTag(r),
    params: r.params,
    createdAt: r.createdAt.toISOString(),
    metrics: r.metrics ?? null,
    served: served.has(r.id),
    available: versionFilesExist(r),
    session: r.trainingSessions[0]
      ? { ...r.trainingSessions[0], createdAt: r.trainingSessions[0].createdAt.toISOString() }
      : null,
    assessments: r._count.assessments,
  }));
}
