/**
 * Live training sessions: configuration, events, presence, host controls.
 */
import { z } from './zod';
import { CountSchema, definePushes, defineRequests, push, request, TextSchema } from './common';

/** Bounds on a session's hyperparameters: a session should take minutes on a small machine. */
export const SESSION_LIMITS = {
  name: 60,
  epochs: 50,
  minBatchSize: 8,
  maxBatchSize: 512,
  minLr: 1e-5,
  maxLr: 1,
  maxBeta: 10,
  minTrainImages: 256,
  maxTrainImages: 60_000,
} as const;

export const SessionKindSchema = z.enum(['cnn', 'vae']);
export type SessionKind = z.infer<typeof SessionKindSchema>;

/**
 * waiting -> (queued ->) training <-> paused -> finished | stopped | failed. `queued`: the host
 * started it while every training slot was taken; it trains as soon as one frees.
 */
export const SessionStateSchema = z.enum(['waiting', 'queued', 'training', 'paused', 'finished', 'stopped', 'failed']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const SessionIdSchema = z
  .string({ error: 'A session id is a string.' })
  .regex(/^[a-z0-9]{6,24}$/, 'A session id is 6-24 lower-case letters or digits; check the link.');

const between = (what: string, min: number, max: number, int = false) =>
  (int
    ? z.number({ error: `${what} must be a number.` }).int(`${what} must be a whole number.`)
    : z.number({ error: `${what} must be a number.` })
  )
    .min(min, `${what} must be at least ${min}.`)
    .max(max, `${what} must be at most ${max}.`);

export const SessionConfigSchema = z
  .object({
    name: TextSchema('A session name', SESSION_LIMITS.name, 'Give the session a name.'),
    kind: SessionKindSchema.default('cnn'),
    epochs: between('Epochs', 1, SESSION_LIMITS.epochs, true).default(3),
    batchSize: between('The batch size', SESSION_LIMITS.minBatchSize, SESSION_LIMITS.maxBatchSize, true).default(64),
    lr: between('The learning rate', SESSION_LIMITS.minLr, SESSION_LIMITS.maxLr).default(0.002),
    lrSchedule: z.enum(['cosine', 'constant']).default('cosine'),
    /** Weight of the KL term (VAE only); 0.1 as the committed VAE (sharper samples than 1 or 0.3, measured). */
    beta: between('Beta', 0, SESSION_LIMITS.maxBeta).default(0.1),
    /**
     * VAE only: add the perceptual loss (server/ml/models/perceptual.ts) to the reconstruction term,
     * as the committed VAE does: visibly sharper samples for ~30 % fewer images/s (bench:ml: 294 vs 421 on one worker).
     */
    perceptual: z.boolean().default(true),
    /**
     * VAE only: train the adversarial critic beside it (server/ml/models/critic.ts) with the
     * committed VAE's weight, as the committed VAE does: a lower Fréchet distance and a slightly looser bound
     * for ~20 % fewer images/s (bench:ml: 205 vs 258 on one worker).
     */
    adversarial: z.boolean().default(true),
    /** Training images (a seeded subset), so a session takes minutes. */
    trainLimit: between(
      'The training subset',
      SESSION_LIMITS.minTrainImages,
      SESSION_LIMITS.maxTrainImages,
      true,
    ).default(6000),
  })
  .strict()
  .refine((c) => c.batchSize <= c.trainLimit, {
    message: 'The batch size must not be larger than the training subset.',
    path: ['batchSize'],
  });
export type SessionConfig = z.output<typeof SessionConfigSchema>;
export type SessionConfigInput = z.input<typeof SessionConfigSchema>;

/** What an epoch's evaluation shows; the CNN and the VAE fill different optional fields. */
export const SessionEvaluationSchema = z
  .object({
    headline: z.number(),
    headlineName: z.string(),
    headlineUnit: z.string().optional(),
    // CNN
    testAccuracy: z.number().optional(),
    testLoss: z.number().optional(),
    perClassAccuracy: z.array(z.number()).optional(),
    /** [true class][predicted class] counts. */
    confusionMatrix: z.array(z.array(z.number())).optional(),
    /** Predictions on the fixed probe images (SessionDetail.probeImages, same order). */
    probes: z
      .array(z.object({ index: z.number(), label: z.number(), predicted: z.number(), confidence: z.number() }))
      .optional(),
    // VAE
    testElbo: z.number().optional(),
    /** PNG data URLs: test images over their reconstructions; a class-by-class sample grid. */
    reconstructions: z.string().optional(),
    samples: z.string().optional(),
    /** VAE with a critic: its mean P(real) on test images and on their reconstructions (0.5 / 0.5: fooled). */
    criticRealScore: z.number().optional(),
    criticReconstructionScore: z.number().optional(),
  })
  .catchall(z.unknown());
export type SessionEvaluation = z.infer<typeof SessionEvaluationSchema>;

/** Every session event has a per-session sequence number (increasing; dropped batch metrics leave gaps) and a server time (ms). */
const sessionEventBase = { seq: z.number().int().positive(), at: z.number() };

export const SessionBatchEventSchema = z.object({
  type: z.literal('batch'),
  ...sessionEventBase,
  epoch: z.number().int(),
  step: z.number().int(),
  stepsPerEpoch: z.number().int(),
  /** Mean over the epoch so far. */
  loss: z.number(),
  accuracy: z.number().optional(),
  imagesPerSec: z.number(),
  lr: z.number(),
  /** Share of the whole run done, 0-1, and the estimated seconds left (null until measurable). */
  progress: z.number(),
  etaSeconds: z.number().nullable(),
});
export type SessionBatchEvent = z.infer<typeof SessionBatchEventSchema>;

export const SessionEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('state'),
    ...sessionEventBase,
    state: SessionStateSchema,
    /** Who caused it (a nickname), null for the server. */
    by: z.string().nullable(),
    /** Why, for failed and queued states. */
    message: z.string().nullable(),
  }),
  z.object({
    type: z.literal('started'),
    ...sessionEventBase,
    backend: z.string(),
    params: z.number().int(),
    epochs: z.number().int(),
    /**
     * The epoch this run begins at: 0, or a run taking over (its trainer died) resuming at the last
     * checkpoint, which redoes what came after it. Stored histories from before it was sent: 0.
     */
    startEpoch: z.number().int().default(0),
    stepsPerEpoch: z.number().int(),
    trainImages: z.number().int(),
    testImages: z.number().int(),
  }),
  SessionBatchEventSchema,
  z.object({
    type: z.literal('epoch'),
    ...sessionEventBase,
    epoch: z.number().int(),
    seconds: z.number(),
    imagesPerSec: z.number(),
    lr: z.number(),
    trainLoss: z.number(),
    trainAccuracy: z.number().optional(),
    evaluation: SessionEvaluationSchema,
    progress: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  z.object({ type: z.literal('lr'), ...sessionEventBase, lr: z.number(), by: z.string() }),
  /** The trained model was saved and registered (or why not). */
  z.object({
    type: z.literal('saved'),
    ...sessionEventBase,
    modelVersionId: z.number().int().nullable(),
    modelPath: z.string().nullable(),
    error: z.string().nullable(),
  }),
]);
export type SessionEvent = z.infer<typeof SessionEventSchema>;

export const SessionViewerSchema = z.object({
  /** Public id of a person in this session (not their clientId, which would let others act as them). */
  id: z.string(),
  nickname: z.string(),
  host: z.boolean(),
});
export type SessionViewer = z.infer<typeof SessionViewerSchema>;

/** Presence changes, numbered: a client applies those newer than the version its list came with. */
export const PresenceChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('join'), version: z.number().int(), viewer: SessionViewerSchema }),
  z.object({ op: z.literal('leave'), version: z.number().int(), id: z.string() }),
]);
export type PresenceChange = z.infer<typeof PresenceChangeSchema>;

export const SessionSummarySchema = z.object({
  id: SessionIdSchema,
  name: z.string(),
  kind: SessionKindSchema,
  state: SessionStateSchema,
  hostNickname: z.string(),
  viewers: z.number().int().nonnegative(),
  epochs: z.number().int(),
  epochsDone: z.number().int(),
  progress: z.number(),
  etaSeconds: z.number().nullable(),
  /** 1 = next to train; null unless queued. */
  queuePosition: z.number().int().positive().nullable(),
  /** The last epoch's headline figure. */
  headline: z.object({ name: z.string(), value: z.number(), unit: z.string().nullable() }).nullable(),
  /** Failure message, if failed. */
  message: z.string().nullable(),
  createdAt: z.string(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const SessionDetailSchema = SessionSummarySchema.extend({
  config: SessionConfigSchema,
  /** Up to 100 of the viewers, the host first (`viewers` is how many there are); presence changes follow. */
  viewerList: z.array(SessionViewerSchema),
  presenceVersion: z.number().int(),
  /** The CNN's fixed probe images (PNG data URLs), whose predictions every epoch reports. */
  probeImages: z.array(z.string()),
  modelVersionId: z.number().int().nullable(),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const sessionRequests = defineRequests({
  /** The lobby: every session's summary; the caller then receives `sessions:summary` pushes. */
  'sessions:watch': request({}, z.object({ sessions: z.array(SessionSummarySchema) })),
  'sessions:unwatch': request({}, z.object({})),
  /**
   * Creates a session in state waiting; the caller's guest (the signed cookie: pick a nickname
   * first) is its host, under every later nickname of theirs and in every tab.
   */
  'session:create': request({ config: SessionConfigSchema }, z.object({ sessionId: SessionIdSchema })),
  /**
   * Enters a session's room. The reply holds the events after `since` (null: all of them, batch
   * metrics downsampled) and `lastSeq`; live `session:event`/`session:batch` pushes follow without
   * a gap. A reconnecting client joins again with `since` = the last seq it saw. Others see the
   * caller under their guest nickname (the cookie), or as an anonymous visitor without one.
   */
  'session:join': request(
    { sessionId: SessionIdSchema, since: CountSchema('since').nullable().default(null) },
    z.object({
      session: SessionDetailSchema,
      you: z.object({ viewerId: z.string(), host: z.boolean() }),
      events: z.array(SessionEventSchema),
      lastSeq: z.number().int().nonnegative(),
    }),
  ),
  'session:leave': request({ sessionId: SessionIdSchema }, z.object({})),
  /** Host only (refused with a reason otherwise); the reply is the state it led to. */
  'session:control': request(
    { sessionId: SessionIdSchema, action: z.enum(['start', 'pause', 'resume', 'stop']) },
    z.object({ state: SessionStateSchema }),
  ),
  /** Host only, while training or paused: replaces the schedule's learning rate from the next step on. */
  'session:lr': request(
    { sessionId: SessionIdSchema, lr: between('The learning rate', SESSION_LIMITS.minLr, SESSION_LIMITS.maxLr) },
    z.object({ lr: z.number() }),
  ),
});

export const sessionPushes = definePushes({
  /** To lobby watchers: a session's summary whenever it changes (progress at most once a second); to its room too when a moderator hid or showed its host's nickname. */
  'sessions:summary': push(SessionSummarySchema, 'reliable'),
  /** To a session's room: every event but batch metrics (states, epochs, lr changes, saved model). */
  'session:event': push(z.object({ sessionId: SessionIdSchema, event: SessionEventSchema }), 'reliable'),
  /** To a session's room: per-batch metrics with progress and ETA, at most ~10 per second. */
  'session:batch': push(z.object({ sessionId: SessionIdSchema, event: SessionBatchEventSchema }), 'volatile'),
  /** To a session's room: who joined or left (batched, at most a few per second). */
  'session:presence': push(
    z.object({ sessionId: SessionIdSchema, viewers: z.number().int(), changes: z.array(PresenceChangeSchema) }),
    'reliable',
  ),
});
