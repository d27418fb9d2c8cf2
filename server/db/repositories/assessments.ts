/**
 * Assessments: one row per evaluation run of a model version (accuracy, confusion matrix, ...),
 * tagged with where it came from (e.g. "eval:cnn").
 */
import type { Db } from '../client';
import type { Assessment, ModelVersion, Prisma } from '../generated/client';

export function saveAssessment(
  db: Db,
  modelVersionId: number,
  source: string,
  metrics: Prisma.InputJsonValue,
): Promise<Assessment> {
  return db.assessment.create({ data: { modelVersionId, source, metrics } });
}

export type AssessmentWithModel = Assessment & {
  modelVersion: Pick<ModelVersion, 'id' | 'kind' | 'name' | 'path' | 'createdAt'> & {
    trainingSessions: { id: string; name: string }[];
  };
};

export interface AssessmentFilter {
  modelVersionId?: number;
  source?: string;
  /** Newest first; default 50. */
  limit?: number;
  /** Only those stored before this one (paging further back). */
  beforeId?: number | null;
}

export function listAssessments(db: Db, filter: AssessmentFilter = {}): Promise<AssessmentWithModel[]> {
  return db.assessment.findMany({
    where: {
      modelVersionId: filter.modelVersionId,
      source: filter.source,
      ...(filter.beforeId ? { id: { lt: filter.beforeId } } : {}),
    },
    // Newest first by id (the order rows were stored in), the order `beforeId` pages by.
    orderBy: { id: 'desc' },
    take: filter.limit ?? 50,
    include: {
      modelVersion: {
        select: {
          id: true,
          kind: true,
          name: true,
          path: true,
          createdAt: true,
          trainingSessions: { select: { id: true, name: true }, take: 1 },
        },
      },
    },
  });
}
