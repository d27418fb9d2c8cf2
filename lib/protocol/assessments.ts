/**
 * Stored quality assessments of model versions (the /assessments page).
 */
import { z } from './zod';
import { defineRequests, IdSchema, request } from './common';

/** Assessments per page of `assessments:list`. */
export const ASSESSMENTS_PAGE = 100;

export const assessmentRequests = defineRequests({
  /**
   * Stored assessments with their model versions, newest first, a page at a time (the
   * /assessments page); `beforeId` pages further back.
   */
  'assessments:list': request(
    { beforeId: IdSchema('beforeId').nullable().default(null) },
    z.object({
      hasMore: z.boolean(),
      assessments: z.array(
        z.object({
          id: z.number().int(),
          source: z.string(),
          createdAt: z.string(),
          metrics: z.unknown(),
          modelVersion: z.object({
            id: z.number().int(),
            kind: z.string(),
            name: z.string(),
            path: z.string(),
            createdAt: z.string(),
          }),
          /** The live session that trained the version, when one did (its page replays the training). */
          session: z.object({ id: z.string(), name: z.string() }).nullable().optional(),
        }),
      ),
    }),
  ),
});
