/**
 * The playground status (backend, served model, database) and its request and push.
 */
import { z } from './zod';
import { definePushes, defineRequests, push, request } from './common';

export const BackendStatusSchema = z.object({
  /** The TensorFlow.js backend in use; null until the backend has been chosen. */
  name: z.string().nullable(),
  /** For wasm: whether WebAssembly SIMD is on (several times faster). */
  simd: z.boolean().optional(),
  /** Every backend tried at start, in order, with why it was skipped. */
  tried: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
});
export type BackendStatus = z.infer<typeof BackendStatusSchema>;

export const ModelStatusSchema = z.object({
  loaded: z.boolean(),
  /** The served model's folder name (e.g. "cnn"; never a server path), null when none is loaded. */
  path: z.string().nullable(),
  /** Number of trainable parameters, null when no model is loaded. */
  params: z.number().int().nonnegative().nullable(),
  version: z.string().optional(),
});
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

export const DatabaseStatusSchema = z.object({
  ok: z.boolean(),
  kind: z.enum(['postgresql', 'pglite']),
  /** Where it is, without a password (e.g. "PostgreSQL at 127.0.0.1:5432/playground"). */
  where: z.string().optional(),
  error: z.string().optional(),
});
export type DatabaseStatus = z.infer<typeof DatabaseStatusSchema>;

/** Several machines: a trainer process (`npm run worker`) that takes training sessions from the queue. */
export const TrainerStatusSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** The TensorFlow.js backend its runs use (e.g. "wasm", "tfjs-node-gpu"). */
  backend: z.string(),
  simd: z.boolean().optional(),
  /**
   * Where its runs train: in its own main thread (a native backend loads in one thread per process)
   * or in worker threads (wasm, cpu). Absent from trainers of earlier versions.
   */
  training: z.enum(['in-process', 'worker threads']).optional(),
  /** Sessions it trains at once, and the ids of those it trains now. */
  slots: z.number().int().positive(),
  running: z.array(z.string()),
  /** When it started (ISO 8601); it reports every few seconds, and one silent for 15 s is not listed. */
  startedAt: z.string(),
});
export type TrainerStatus = z.infer<typeof TrainerStatusSchema>;

export const StatusSchema = z.object({
  backend: BackendStatusSchema,
  model: ModelStatusSchema,
  database: DatabaseStatusSchema,
  /** Several machines only: the trainers that report to the shared Redis (absent in one process). */
  trainers: z.array(TrainerStatusSchema).optional(),
  uptimeSeconds: z.number().nonnegative(),
  /** ISO 8601 time on the server when this status was taken. */
  serverTime: z.string(),
});
export type Status = z.infer<typeof StatusSchema>;

export const statusRequests = defineRequests({
  /** The current status of the playground; answered from the server's last known state. */
  'status:get': request({}, StatusSchema),
});

export const statusPushes = definePushes({
  /** Sent to every client when the status changes (not for the ticking clock fields). */
  status: push(StatusSchema, 'reliable'),
});
