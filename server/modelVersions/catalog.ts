/**
 * Model versions as people pick them: every registered model (a committed folder, a CLI run, a
 * finished session) with who trained it and when, which one the server serves by default per kind,
 * and where its files are. The default changes only through `setServed`, which the socket handler
 * calls after checking the operator's credential (server/admin.ts).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db, ModelKind, ModelVersion } from '../db';
import { hashJson, projectRelative } from '../db/repositories/modelVersions';
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

type Registered = Pick<ModelVersion, 'id' | 'path' | 'trainingLogHash'>;

/** hashJson of a model folder's training-log.json as it is now (null: none readable), cached by the file's mtime and size. */
const folderLogs = new Map<string, { stamp: string; hash: string | null }>();
export async function folderLogHash(dir: string): Promise<string | null> {
  const file = path.join(dir, 'training-log.json');
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  const stamp = `${info.mtimeMs}:${info.size}`;
  const cached = folderLogs.get(file);
  if (cached?.stamp === stamp) return cached.hash;
  const hash = await readFile(file, 'utf8')
    .then((text) => hashJson(JSON.parse(text)))
    .catch(() => null);
  folderLogs.set(file, { stamp, hash });
  return hash;
}

/**
 * Which versions were replaced in their folder, each mapped to the version that replaced it. A model
 * retrained or promoted in place (models/vae after a new VAE landed) keeps its old row, whose log no
 * longer describes the files: the old row is replaced when another version of the same folder has
 * the training log that is on disk now. A folder with one row (every live session's) is never
 * replaced, whatever its log; nor is one whose log matches none of its rows.
 */
export async function replacedVersions(db: Db, versions: readonly Registered[]): Promise<Map<number, number>> {
  const replaced = new Map<number, number>();
  const paths = [...new Set(versions.map((v) => v.path))];
  if (paths.length === 0) return replaced;
  const rows = await db.modelVersion.findMany({
    where: { path: { in: paths } },
    select: { id: true, path: true, trainingLogHash: true },
  });
  for (const folder of paths) {
    const same = rows.filter((r) => r.path === folder);
    if (same.length < 2) continue;
    const onDisk = await folderLogHash(versionDir({ path: folder }));
    const current = same.find((r) => r.trainingLogHash === onDisk);
    if (!current) continue;
    for (const r of same) if (r.id !== current.id) replaced.set(r.id, current.id);
  }
  return replaced;
}

/** Why a version cannot be used (its files are gone, or its folder now holds another version), or null. */
export async function unavailableReason(
  db: Db,
  version: Registered & Pick<ModelVersion, 'kind'>,
): Promise<string | null> {
  if (!versionFilesExist(version))
    return `The files of model version ${version.id} are no longer on this server (${version.path}); pick another version.`;
  const by = (await replacedVersions(db, [version])).get(version.id);
  if (by !== undefined)
    return `Model version ${version.id} was replaced: its folder (${version.path}) now holds model version ${by}; pick version ${by}.`;
  return null;
}

/** A version by id, of the given kind; refused with a sentence when there is none or it cannot be used. */
export async function findVersion(db: Db, id: number, kind?: ModelKind): Promise<ModelVersion> {
  const version = await db.modelVersion.findUnique({ where: { id } });
  if (!version) throw new UserFacingError(`There is no model version ${id}; pick one from the list on /models.`);
  if (kind && version.kind !== kind) {
    throw new UserFacingError(
      `Model version ${id} is a ${version.kind.toUpperCase()}, not a ${kind.toUpperCase()}; pick a ${kind.toUpperCase()} version.`,
    );
  }
  const reason = await unavailableReason(db, version);
  if (reason) throw new UserFacingError(reason);
  return version;
}

/**
 * The version served by default for a kind: the operator's choice when one was made and can still be
 * used, else the newest registered version of the default folder (MODELS_DIR/cnn or /vae) that was not
 * replaced there; null when neither exists.
 */
export async function servedVersion(db: Db, kind: ModelKind, defaultDir: string): Promise<ModelVersion | null> {
  const chosen = await db.servedModel.findUnique({ where: { kind }, include: { modelVersion: true } });
  if (chosen && (await unavailableReason(db, chosen.modelVersion)) === null) return chosen.modelVersion;
  const rows = await db.modelVersion.findMany({
    where: { kind, path: projectRelative(defaultDir) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const replaced = await replacedVersions(db, rows);
  return rows.find((r) => !replaced.has(r.id)) ?? null;
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
  /** The version that now holds its folder, when it was replaced there (then it is not available). */
  replacedBy: number | null;
  /** The live session that trained it, when one did. */
  session: { id: string; name: string; hostNickname: string; createdAt: string } | null;
  assessments: number;
}

/**
 * The newest 200 versions (optionally of one kind), newest first, with the served ones marked; with
 * `only`, that one version (however old), or none.
 */
export async function listVersions(
  db: Db,
  kind: ModelKind | null,
  defaultDirs: Record<ModelKind, string>,
  only?: { id: number },
): Promise<VersionSummary[]> {
  const rows = await db.modelVersion.findMany({
    where: { ...(kind ? { kind } : {}), ...(only ? { id: only.id } : {}) },
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
  const replaced = await replacedVersions(db, rows);
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
    available: versionFilesExist(r) && !replaced.has(r.id),
    replacedBy: replaced.get(r.id) ?? null,
    session: r.trainingSessions[0]
      ? { ...r.trainingSessions[0], createdAt: r.trainingSessions[0].createdAt.toISOString() }
      : null,
    assessments: r._count.assessments,
  }));
}
