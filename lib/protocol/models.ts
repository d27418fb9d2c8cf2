/**
 * Model versions: every trained model people can pick (/models, the pickers of /draw and /vote),
 * one version's page, and the operator's choice of the default the server serves.
 */
import { z } from './zod';
import { defineRequests, MAX_ID, request } from './common';

export const ModelKindSchema = z.enum(['cnn', 'vae'], { error: 'A model kind is cnn or vae.' });

/** A model version id as a picker sends it; null (or absent) means the one served by default. */
export const ModelVersionIdSchema = z
  .number({ error: 'A model version is a number from the list on /models.' })
  .int('A model version is a whole number from the list on /models.')
  .positive('A model version is a positive number from the list on /models.')
  .max(MAX_ID, `A model version must be at most ${MAX_ID}; pick one from the list on /models.`);

export const ModelVersionSummarySchema = z.object({
  id: z.number().int(),
  kind: ModelKindSchema,
  name: z.string(),
  /** The model folder on the server, relative to the project. */
  path: z.string(),
  /** What a recognition reply's modelVersion says when this version answers ("<folder>@<hash8>"). */
  tag: z.string(),
  params: z.number().int(),
  createdAt: z.string(),
  /** Headline metrics stored with the version (shape depends on where it came from). */
  metrics: z.unknown(),
  /** Served by default (drawings for a CNN, voting rounds for a VAE). */
  served: z.boolean(),
  /** Whether its files are still on the server and still its own (only then can it be picked or downloaded). */
  available: z.boolean(),
  /** The version that now holds its folder, when a model was retrained or promoted there after it. */
  replacedBy: z.number().int().nullable(),
  /** The live session that trained it (its page replays the training), null for a CLI or committed model. */
  session: z.object({ id: z.string(), name: z.string(), hostNickname: z.string(), createdAt: z.string() }).nullable(),
  assessments: z.number().int(),
});
export type ModelVersionSummary = z.infer<typeof ModelVersionSummarySchema>;

export const ModelVersionDetailSchema = ModelVersionSummarySchema.extend({
  /** The training log as stored (config, per-epoch figures, ...). */
  trainingLog: z.unknown(),
  assessments: z.array(
    z.object({ id: z.number().int(), source: z.string(), createdAt: z.string(), metrics: z.unknown() }),
  ),
  /** Where to download the layers-format files and training-log.json as one .tar.gz. */
  archiveUrl: z.string(),
  /** A CNN's report card picture (PNG), null for a VAE. */
  reportCardUrl: z.string().nullable(),
});
export type ModelVersionDetail = z.infer<typeof ModelVersionDetailSchema>;

export const modelRequests = defineRequests({
  /** Every stored model version, newest first, optionally of one kind (the pickers ask for theirs). */
  'models:list': request(
    { kind: ModelKindSchema.nullable().default(null) },
    z.object({ versions: z.array(ModelVersionSummarySchema) }),
  ),
  /** One version with its training log and assessments (the /models/<id> page). */
  'models:get': request({ id: ModelVersionIdSchema }, ModelVersionDetailSchema),
  /**
   * Operator only: serve this version by default from now on (for its kind). Refused without the
   * server's ADMIN_TOKEN; guests cannot change what everyone gets.
   */
  'models:serve': request(
    { id: ModelVersionIdSchema, adminToken: z.string().max(512) },
    z.object({ served: ModelVersionSummarySchema }),
  ),
});
