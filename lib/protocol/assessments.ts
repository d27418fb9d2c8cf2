/**
 * Stored quality assessments of model versions (the /assessments page).
 */
import { z } from './zod';
import { defineRequests, request } from './common';

export const assessmentRequests = defineRequests({
  /** Every stored assessment with its model version, newest first (the /assessments page). */
  'assessments:list': request(
    {},
    z.object({
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
