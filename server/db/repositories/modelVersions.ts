/**
 * Trained models as the database knows them. Registering is idempotent: the same folder with the
 * same training log is one row however often eval runs; a retrained model (new log) is a new row.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../client';
import type { ModelKind, ModelVersion, Prisma } from '../generated/client';

export interface ModelVersionInput {
  kind: ModelKind;
  name: string;
  /** The model folder; stored relative to the project root so absolute and relative paths agree. */
  path: string;
  /** Trainable parameters. */
  params: number;
  trainingLog: Prisma.InputJsonValue;
  /** Headline metrics; when given, they replace those of an already registered version. */
  metrics?: Prisma.InputJsonValue;
}

export async function registerModelVersion(db: Db, input: ModelVersionInput): Promise<ModelVersion> {
  const modelPath = projectRelative(input.path);
  const trainingLogHash = hashJson(input.trainingLog);
  const upsert = () =>
    db.modelVersion.upsert({
      where: { path_trainingLogHash: { path: modelPath, trainingLogHash } },
      create: {
        kind: input.kind,
        name: input.name,
        path: modelPath,
        params: input.params,
        trainingLog: input.trainingLog,
        trainingLogHash,
        metrics: input.metrics,
      },
      update: input.metrics === undefined ? {} : { metrics: input.metrics },
    });
  try {
    return await upsert();
  } catch (err) {
    // Two registrations of the same new version at once (e.g. the first saved drawings arriving
    // together): PostgreSQL lets one insert win; the other finds its row on a second try.
    if ((err as { code?: string }).code !== 'P2002') throw err;
    return upsert();
  }
}

/** The most recently registered version of a kind, or null before the first registration. */
export function latestModelVersion(db: Db, kind: ModelKind): Promise<ModelVersion | null> {
  return db.modelVersion.findFirst({ where: { kind }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
}

export function projectRelative(p: string): string {
  return path.relative(process.cwd(), path.resolve(p)).split(path.sep).join('/') || '.';
}

/** sha256 of JSON with object keys sorted, so key order in a rewritten log does not matter. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
