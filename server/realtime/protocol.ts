/**
 * The Socket.IO wire protocol: every event between browser and server, declared once with its Zod
 * schema and its delivery. Server handlers and app/ components both import this module, so it must
 * stay free of Node-only imports (zod only).
 *
 * Delivery, per event:
 * - `ack`: a request from the client that must arrive; the server answers through the Socket.IO
 *   acknowledgement with a `Reply` (`{ ok: true, data }` or `{ ok: false, error }`).
 * - `reliable`: a server push sent in order on the connection, without a reply. A client that was
 *   disconnected misses it, so on every (re)connect it asks again with the matching `ack` request.
 * - `volatile`: may be dropped under back-pressure (per-batch metrics, cursors); the next one
 *   supersedes it.
 */
import { z } from 'zod';

/** Largest message a client may send, in bytes (Socket.IO `maxHttpBufferSize`). Bigger: disconnect. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export type Delivery = 'ack' | 'reliable' | 'volatile';

// ---- shapes ---------------------------------------------------------------------------------

export const BackendStatusSchema = z.object({
  /** The TensorFlow.js backend in use; null until the backend has been chosen. */
  name: z.string().nullable(),
  /** For wasm: whether WebAssembly SIMD is on (several times faster). */
  simd: z.boolean().optional(),
  /** Every backend tried at start, in order, with why it was skipped. */
  tried: z.array(
    z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() }),
  ),
});

export const ModelStatusSchema = z.object({
  loaded: z.boolean(),
  /** Folder the model was loaded from (relative to the project), null when none is loaded. */
  path: z.string().nullable(),
  /** Number of trainable parameters, null when no model is loaded. */
  params: z.number().int().nonnegative().nullable(),
  version: z.string().optional(),
});

export const DatabaseStatusSchema = z.object({
  ok: z.boolean(),
  kind: z.enum(['postgresql', 'pglite']),
  /** Where it is, without a password (e.g. "PostgreSQL at 127.0.0.1:5432/playground"). */
  where: z.string().optional(),
  error: z.string().optional(),
});

export const StatusSchema = z.object({
  backend: BackendStatusSchema,
  model: ModelStatusSchema,
  database: DatabaseStatusSchema,
  uptimeSeconds: z.number().nonnegative(),
  /** ISO 8601 time on the server when this status was taken. */
  serverTime: z.string(),
});

export type BackendStatus = z.infer<typeof BackendStatusSchema>;
export type ModelStatus = z.infer<typeof ModelStatusSchema>;
export type DatabaseStatus = z.infer<typeof DatabaseStatusSchema>;
export type Status = z.infer<typeof StatusSchema>;

/** The answer to every `ack` request. */
export type Reply<T> = { ok: true; data: T } | { ok: false; error: string };

// ---- drawing shapes (issue 5: draw a garment, saved sketches, shared drawing rooms) --------

/** Bounds on a drawing sent by a client: recognition cost grows with points, so they are capped. */
export const DRAW_LIMITS = {
  strokes: 300,
  /** Points (x, y pairs) over all strokes. */
  points: 6000,
  /** Largest |x| or |y|, in canvas pixels. */
  coordinate: 100_000,
  minWidth: 0.5,
  maxWidth: 200,
} as const;

export const ClassIndexSchema = z
  .number({ error: 'The label must be a class number 0-9.' })
  .int('The label must be a whole class number 0-9.')
  .min(0, 'The label must be a class number 0-9.')
  .max(9, 'The label must be a class number 0-9.');

/** One stroke as drawn: flat [x0, y0, x1, y1, ...] canvas pixels, the pen's width, pen or eraser. */
export const StrokeSchema = z
  .object({
    points: z
      .array(
        z
          .number({ error: 'Stroke points must be finite numbers.' })
          .min(-DRAW_LIMITS.coordinate, `Stroke points must lie within ${DRAW_LIMITS.coordinate} pixels of the origin.`)
          .max(DRAW_LIMITS.coordinate, `Stroke points must lie within ${DRAW_LIMITS.coordinate} pixels of the origin.`),
      )
      .min(2, 'A stroke needs at least one point.')
      .max(2 * DRAW_LIMITS.points, `A stroke may have at most ${DRAW_LIMITS.points} points.`)
      .refine((p) => p.length % 2 === 0, 'Stroke points come in x, y pairs.'),
    width: z.number().min(DRAW_LIMITS.minWidth).max(DRAW_LIMITS.maxWidth),
    tool: z.enum(['pen', 'eraser']).default('pen'),
  })
  .strict();

export const StrokesSchema = z
  .array(StrokeSchema)
  .max(DRAW_LIMITS.strokes, `A drawing may have at most ${DRAW_LIMITS.strokes} strokes; clear the canvas and start again.`)
  .refine(
    (strokes) => strokes.reduce((n, s) => n + s.points.length / 2, 0) <= DRAW_LIMITS.points,
    `A drawing may have at most ${DRAW_LIMITS.points} points; clear the canvas and draw with fewer strokes.`,
  );

export const RecognitionSchema = z.object({
  /** Softmax over the ten classes, in CLASS_NAMES order; sums to 1. */
  probabilities: z.array(z.number()).length(10),
  guess: ClassIndexSchema,
  /** Which model answered, e.g. "cnn@3f2a9c1b" (folder name @ training-log hash). */
  modelVersion: z.string(),
  /** Server time for preprocessing and inference, in ms. */
  elapsedMs: z.number(),
});

export const SavedSketchSchema = z.object({
  id: z.number().int(),
  label: ClassIndexSchema,
  guess: ClassIndexSchema,
  /** The 28x28 image the model saw, as a PNG data URL. */
  image: z.string(),
  author: z.string().nullable(),
  createdAt: z.string(),
});

export const RoomIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/, 'A room name is 1-32 lower-case letters, digits or hyphens.');

export const NicknameSchema = z.string().trim().min(1, 'Choose a nickname.').max(24, 'A nickname has at most 24 characters.');

export const RoomGuessSchema = z.object({
  /** null for the model. */
  playerId: z.string().nullable(),
  name: z.string(),
  label: ClassIndexSchema,
  correct: z.boolean(),
  /** Since the round started, in ms. */
  atMs: z.number(),
});

export const RoomStateSchema = z.object({
  roomId: RoomIdSchema,
  players: z.array(z.object({ id: z.string(), nickname: z.string() })),
  /** The player drawing this round; null between rounds. */
  drawerId: z.string().nullable(),
  round: z.number().int(),
  status: z.enum(['waiting', 'drawing', 'over']),
  /** The garment to draw: revealed to everyone once the round is over, else null. */
  answer: ClassIndexSchema.nullable(),
  /** Correct and wrong guesses in order, the model's first correct one included. */
  guesses: z.array(RoomGuessSchema),
  /** Who was right first (a player's name or "the model"), null while nobody is. */
  firstCorrect: RoomGuessSchema.nullable(),
});

export const RoomDrawingSchema = z.object({
  roomId: RoomIdSchema,
  round: z.number().int(),
  strokes: z.array(StrokeSchema),
  /** The model's current probabilities for the drawing, null while the canvas is empty. */
  recognition: RecognitionSchema.nullable(),
});

export type StrokeInput = z.input<typeof StrokeSchema>;
export type Recognition = z.infer<typeof RecognitionSchema>;
export type SavedSketch = z.infer<typeof SavedSketchSchema>;
export type RoomState = z.infer<typeof RoomStateSchema>;
export type RoomDrawing = z.infer<typeof RoomDrawingSchema>;
export type RoomGuess = z.infer<typeof RoomGuessSchema>;

// ---- training session shapes (issue 4: live shared training sessions) ----------------------

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

/**
 * waiting -> (queued ->) training <-> paused -> finished | stopped | failed. `queued`: the host
 * started it while every training slot was taken; it trains as soon as one frees.
 */
export const SessionStateSchema = z.enum(['waiting', 'queued', 'training', 'paused', 'finished', 'stopped', 'failed']);

export const SessionIdSchema = z
  .string({ error: 'A session id is a string.' })
  .regex(/^[a-z0-9]{6,24}$/, 'A session id is 6-24 lower-case letters or digits; check the link.');

/** The browser's own id (generated once, kept in localStorage); the browser that creates a session hosts it. */
export const ClientIdSchema = z
  .string({ error: 'clientId must be a string.' })
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'clientId must be 16-64 letters, digits, - or _.');

const between = (what: string, min: number, max: number, int = false) =>
  (int ? z.number({ error: `${what} must be a number.` }).int(`${what} must be a whole number.`) : z.number({ error: `${what} must be a number.` }))
    .min(min, `${what} must be at least ${min}.`)
    .max(max, `${what} must be at most ${max}.`);

export const SessionConfigSchema = z
  .object({
    name: z
      .string({ error: 'Give the session a name.' })
      .trim()
      .min(1, 'Give the session a name.')
      .max(SESSION_LIMITS.name, `A session name has at most ${SESSION_LIMITS.name} characters.`),
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
    trainLimit: between('The training subset', SESSION_LIMITS.minTrainImages, SESSION_LIMITS.maxTrainImages, true).default(6000),
  })
  .strict()
  .refine((c) => c.batchSize <= c.trainLimit, {
    message: 'The batch size must not be larger than the training subset.',
    path: ['batchSize'],
  });

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
    probes: z.array(z.object({ index: z.number(), label: z.number(), predicted: z.number(), confidence: z.number() })).optional(),
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

export const SessionViewerSchema = z.object({
  /** Public id of a person in this session (not their clientId, which would let others act as them). */
  id: z.string(),
  nickname: z.string(),
  host: z.boolean(),
});

/** Presence changes, numbered: a client applies those newer than the version its list came with. */
export const PresenceChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('join'), version: z.number().int(), viewer: SessionViewerSchema }),
  z.object({ op: z.literal('leave'), version: z.number().int(), id: z.string() }),
]);

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

export const SessionDetailSchema = SessionSummarySchema.extend({
  config: SessionConfigSchema,
  viewerList: z.array(SessionViewerSchema),
  presenceVersion: z.number().int(),
  /** The CNN's fixed probe images (PNG data URLs), whose predictions every epoch reports. */
  probeImages: z.array(z.string()),
  modelVersionId: z.number().int().nullable(),
});

export type SessionKind = z.infer<typeof SessionKindSchema>;
export type SessionState = z.infer<typeof SessionStateSchema>;
export type SessionConfig = z.output<typeof SessionConfigSchema>;
export type SessionConfigInput = z.input<typeof SessionConfigSchema>;
export type SessionEvaluation = z.infer<typeof SessionEvaluationSchema>;
export type SessionEvent = z.infer<typeof SessionEventSchema>;
export type SessionBatchEvent = z.infer<typeof SessionBatchEventSchema>;
export type SessionViewer = z.infer<typeof SessionViewerSchema>;
export type PresenceChange = z.infer<typeof PresenceChangeSchema>;
export type SessionSummary = z.infer<typeof SessionSummarySchema>;
export type SessionDetail = z.infer<typeof SessionDetailSchema>;
// ---- end training session shapes ----

// ---- voting, gallery and collection shapes (issue 6) ----------------------------------------

export const VOTE_LIMITS = {
  minDurationSeconds: 15,
  maxDurationSeconds: 600,
  collectionTitle: 80,
  pageSize: 48,
} as const;

/** A voting room: "vote" for the /vote page, or a training session's id. */
export const VoteRoomSchema = z
  .string({ error: 'A voting room is a string.' })
  .regex(/^[a-z0-9-]{1,32}$/, 'A voting room is 1-32 lower-case letters, digits or hyphens.');

/** +1 keep, -1 discard, 0 withdraw the vote. */
export const VoteValueSchema = z.union([z.literal(1), z.literal(-1), z.literal(0)], { error: 'A vote is 1 (keep), -1 (discard) or 0 (withdraw).' });

export const VoteTallySchema = z.object({ candidateId: z.number().int(), up: z.number().int(), down: z.number().int() });

export const VoteCandidateSchema = z.object({
  id: z.number().int(),
  position: z.number().int(),
  label: ClassIndexSchema,
  /** The judge CNN's probability of `label`. */
  confidence: z.number(),
  /** 28x28 PNG data URL. */
  image: z.string(),
  origin: z.enum(['fresh', 'mutation', 'crossover']),
  /** The previous round's candidates it was bred from (see VoteRoundState.parents). */
  parentIds: z.array(z.number().int()),
});

export const VoteRoundStateSchema = z.object({
  id: z.number().int(),
  room: VoteRoomSchema,
  number: z.number().int(),
  label: ClassIndexSchema.nullable(),
  state: z.enum(['open', 'closed']),
  hostNickname: z.string(),
  /** Compare with `you.publicId` of vote:join to know whether you host it. */
  hostPublicId: z.string(),
  closesAt: z.string(),
  closedAt: z.string().nullable(),
  modelVersionId: z.number().int().nullable(),
  parentRoundId: z.number().int().nullable(),
  candidates: z.array(VoteCandidateSchema),
  tallies: z.array(VoteTallySchema),
  /** The candidates its children were bred from (lineage), with their pictures. */
  parents: z.array(z.object({ id: z.number().int(), label: ClassIndexSchema, image: z.string(), roundNumber: z.number().int() })),
  /** Once closed: the winners (candidate id and gallery item id). */
  winners: z.array(z.object({ candidateId: z.number().int(), galleryItemId: z.number().int() })),
});

export const CollectionTitleSchema = z
  .string({ error: 'A title is text.' })
  .trim()
  .min(1, 'Give the collection a title.')
  .max(VOTE_LIMITS.collectionTitle, `A title has at most ${VOTE_LIMITS.collectionTitle} characters.`)
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'A title cannot contain control characters.');

export const CollectionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,32}$/, 'A collection id is 6-32 letters, digits, - or _; check the link.');

export const GalleryItemSummarySchema = z.object({
  id: z.number().int(),
  label: ClassIndexSchema,
  image: z.string(),
  confidence: z.number(),
  upVotes: z.number().int(),
  downVotes: z.number().int(),
  score: z.number().int(),
  author: z.string().nullable(),
  createdAt: z.string(),
});

export const CollectionSchema = z.object({
  id: CollectionIdSchema,
  title: z.string(),
  public: z.boolean(),
  owner: z.string(),
  /** Whether the caller owns it (and may change it). */
  yours: z.boolean(),
  items: z.array(z.object({ galleryItemId: z.number().int(), label: ClassIndexSchema, image: z.string(), score: z.number().int() })),
  updatedAt: z.string(),
});

export type VoteTally = z.infer<typeof VoteTallySchema>;
export type VoteCandidate = z.infer<typeof VoteCandidateSchema>;
export type VoteRoundState = z.infer<typeof VoteRoundStateSchema>;
export type GalleryItemSummary = z.infer<typeof GalleryItemSummarySchema>;
export type CollectionView = z.infer<typeof CollectionSchema>;
// ---- end voting shapes ----

// ---- events ---------------------------------------------------------------------------------

/** Client -> server requests. `payload` is parsed at the edge; `reply` is what `data` holds. */
export const clientRequests = {
  /** The current status of the playground; answered from the server's last known state. */
  'status:get': {
    delivery: 'ack',
    payload: z.object({}).strict(),
    reply: StatusSchema,
  },
  // ---- drawing (issue 5) ----
  /** The model's guess for a drawing. Rate-limited per connection (the page sends a few per second). */
  'draw:recognize': {
    delivery: 'ack',
    payload: z.object({ strokes: StrokesSchema }).strict(),
    reply: RecognitionSchema,
  },
  /**
   * Keeps a drawing with the label its author confirmed; the server re-computes image and guess.
   * The author is the connection's guest cookie (server/identity), never a claim in the payload.
   */
  'draw:save': {
    delivery: 'ack',
    payload: z.object({ strokes: StrokesSchema, label: ClassIndexSchema }).strict(),
    reply: z.object({ id: z.number().int(), guess: ClassIndexSchema, modelVersion: z.string() }),
  },
  /** Saved drawings, newest first, optionally of one class; `beforeId` pages further back. */
  'sketches:list': {
    delivery: 'ack',
    payload: z
      .object({
        label: ClassIndexSchema.nullable().default(null),
        limit: z.number().int().min(1).max(60).default(24),
        beforeId: z.number().int().positive().nullable().default(null),
      })
      .strict(),
    reply: z.object({ sketches: z.array(SavedSketchSchema), hasMore: z.boolean() }),
  },
  /** Enters a shared drawing room (created on first join); the reply is its state. */
  'room:join': {
    delivery: 'ack',
    payload: z.object({ roomId: RoomIdSchema, nickname: NicknameSchema }).strict(),
    reply: z.object({ playerId: z.string(), state: RoomStateSchema, drawing: RoomDrawingSchema }),
  },
  'room:leave': {
    delivery: 'ack',
    payload: z.object({ roomId: RoomIdSchema }).strict(),
    reply: z.object({}),
  },
  /** Makes the caller the drawer of a new round; only the drawer learns the garment to draw. */
  'room:start': {
    delivery: 'ack',
    payload: z.object({ roomId: RoomIdSchema }).strict(),
    reply: z.object({ round: z.number().int(), target: ClassIndexSchema }),
  },
  /** The drawer's whole current drawing (sent while drawing); rate-limited like draw:recognize. */
  'room:draw': {
    delivery: 'ack',
    payload: z.object({ roomId: RoomIdSchema, strokes: StrokesSchema }).strict(),
    reply: RecognitionSchema.nullable(),
  },
  /** A watcher's guess of the garment being drawn. */
  'room:guess': {
    delivery: 'ack',
    payload: z.object({ roomId: RoomIdSchema, label: ClassIndexSchema }).strict(),
    reply: z.object({ correct: z.boolean(), first: z.boolean() }),
  },
  // ---- end drawing ----
  // ---- training sessions (issue 4) ----
  /** The lobby: every session's summary; the caller then receives `sessions:summary` pushes. */
  'sessions:watch': {
    delivery: 'ack',
    payload: z.object({}).strict(),
    reply: z.object({ sessions: z.array(SessionSummarySchema) }),
  },
  'sessions:unwatch': {
    delivery: 'ack',
    payload: z.object({}).strict(),
    reply: z.object({}),
  },
  /** Creates a session in state waiting; the caller (its clientId) is its host. */
  'session:create': {
    delivery: 'ack',
    payload: z.object({ config: SessionConfigSchema, clientId: ClientIdSchema, nickname: NicknameSchema }).strict(),
    reply: z.object({ sessionId: SessionIdSchema }),
  },
  /**
   * Enters a session's room. The reply holds the events after `since` (null: all of them, batch
   * metrics downsampled) and `lastSeq`; live `session:event`/`session:batch` pushes follow without
   * a gap. A reconnecting client joins again with `since` = the last seq it saw.
   */
  'session:join': {
    delivery: 'ack',
    payload: z
      .object({
        sessionId: SessionIdSchema,
        clientId: ClientIdSchema,
        nickname: NicknameSchema,
        since: z.number().int().nonnegative().nullable().default(null),
      })
      .strict(),
    reply: z.object({
      session: SessionDetailSchema,
      you: z.object({ viewerId: z.string(), host: z.boolean() }),
      events: z.array(SessionEventSchema),
      lastSeq: z.number().int().nonnegative(),
    }),
  },
  'session:leave': {
    delivery: 'ack',
    payload: z.object({ sessionId: SessionIdSchema }).strict(),
    reply: z.object({}),
  },
  /** Host only (refused with a reason otherwise); the reply is the state it led to. */
  'session:control': {
    delivery: 'ack',
    payload: z.object({ sessionId: SessionIdSchema, action: z.enum(['start', 'pause', 'resume', 'stop']) }).strict(),
    reply: z.object({ state: SessionStateSchema }),
  },
  /** Host only, while training or paused: replaces the schedule's learning rate from the next step on. */
  'session:lr': {
    delivery: 'ack',
    payload: z.object({ sessionId: SessionIdSchema, lr: between('The learning rate', SESSION_LIMITS.minLr, SESSION_LIMITS.maxLr) }).strict(),
    reply: z.object({ lr: z.number() }),
  },
  // ---- end training sessions ----
  // ---- voting, gallery, collections (issue 6) ----
  // Writes need the guest cookie (pick a nickname over POST /api/identity, then reconnect).
  /** Enters a voting room; `vote:round` and `vote:tally` pushes follow. */
  'vote:join': {
    delivery: 'ack',
    payload: z.object({ room: VoteRoomSchema }).strict(),
    reply: z.object({
      round: VoteRoundStateSchema.nullable(),
      you: z.object({ publicId: z.string(), nickname: z.string() }).nullable(),
      myVotes: z.array(z.object({ candidateId: z.number().int(), value: z.union([z.literal(1), z.literal(-1)]) })),
    }),
  },
  'vote:leave': { delivery: 'ack', payload: z.object({ room: VoteRoomSchema }).strict(), reply: z.object({}) },
  /**
   * Starts a round when none is open; the caller hosts it. `breed`: children of the last round's
   * winners (when it had any), else fresh draws. Takes about a second (generated in a worker).
   */
  'vote:start': {
    delivery: 'ack',
    payload: z
      .object({
        room: VoteRoomSchema,
        label: ClassIndexSchema.nullable().default(null),
        durationSeconds: z.number().int().min(VOTE_LIMITS.minDurationSeconds).max(VOTE_LIMITS.maxDurationSeconds).default(60),
        breed: z.boolean().default(true),
      })
      .strict(),
    reply: z.object({ round: VoteRoundStateSchema }),
  },
  /** One vote per person per candidate; a new value replaces the old; rate-limited per person. */
  'vote:cast': {
    delivery: 'ack',
    payload: z.object({ roundId: z.number().int().positive(), candidateId: z.number().int().positive(), value: VoteValueSchema }).strict(),
    reply: z.object({ tally: VoteTallySchema, value: VoteValueSchema }),
  },
  /** Host only: closes the round now; winners go to the gallery. */
  'vote:close': {
    delivery: 'ack',
    payload: z.object({ roundId: z.number().int().positive() }).strict(),
    reply: z.object({ round: VoteRoundStateSchema }),
  },
  'gallery:list': {
    delivery: 'ack',
    payload: z
      .object({
        label: ClassIndexSchema.nullable().default(null),
        sort: z.enum(['votes', 'newest']).default('newest'),
        page: z.number().int().min(1).max(10_000).default(1),
        pageSize: z.number().int().min(1).max(VOTE_LIMITS.pageSize).default(24),
      })
      .strict(),
    reply: z.object({ items: z.array(GalleryItemSummarySchema), total: z.number().int() }),
  },
  /** One item with its latent vector, model version, round and lineage. */
  'gallery:item': {
    delivery: 'ack',
    payload: z.object({ id: z.number().int().positive() }).strict(),
    reply: z.object({
      item: GalleryItemSummarySchema.extend({
        latent: z.array(z.number()),
        modelVersion: z.object({ id: z.number().int(), name: z.string(), path: z.string() }).nullable(),
        round: z.object({ room: z.string(), number: z.number().int() }),
        origin: z.string(),
      }),
      lineage: z.array(
        z.object({ candidateId: z.number().int(), generation: z.number().int(), label: ClassIndexSchema, origin: z.string(), image: z.string(), roundNumber: z.number().int(), galleryItemId: z.number().int().nullable() }),
      ),
    }),
  },
  /** "More like this": fresh variations around an item's latent (not stored). */
  'gallery:variations': {
    delivery: 'ack',
    payload: z.object({ id: z.number().int().positive(), count: z.number().int().min(1).max(12).default(8) }).strict(),
    reply: z.object({ images: z.array(z.object({ image: z.string(), confidence: z.number() })) }),
  },
  /** The caller's collections (`mine`) or everyone's public ones. */
  'collections:list': {
    delivery: 'ack',
    payload: z.object({ scope: z.enum(['mine', 'public']) }).strict(),
    reply: z.object({ collections: z.array(CollectionSchema.omit({ items: true }).extend({ count: z.number().int(), preview: z.array(z.string()) })) }),
  },
  'collection:get': { delivery: 'ack', payload: z.object({ id: CollectionIdSchema }).strict(), reply: CollectionSchema },
  'collection:create': {
    delivery: 'ack',
    payload: z.object({ title: CollectionTitleSchema, public: z.boolean().default(false) }).strict(),
    reply: CollectionSchema,
  },
  /** Owner only, like every collection change below. */
  'collection:update': {
    delivery: 'ack',
    payload: z.object({ id: CollectionIdSchema, title: CollectionTitleSchema.optional(), public: z.boolean().optional() }).strict(),
    reply: CollectionSchema,
  },
  'collection:add': { delivery: 'ack', payload: z.object({ id: CollectionIdSchema, galleryItemId: z.number().int().positive() }).strict(), reply: CollectionSchema },
  'collection:remove': { delivery: 'ack', payload: z.object({ id: CollectionIdSchema, galleryItemId: z.number().int().positive() }).strict(), reply: CollectionSchema },
  'collection:reorder': {
    delivery: 'ack',
    payload: z.object({ id: CollectionIdSchema, galleryItemIds: z.array(z.number().int().positive()).max(500) }).strict(),
    reply: CollectionSchema,
  },
  'collection:delete': { delivery: 'ack', payload: z.object({ id: CollectionIdSchema }).strict(), reply: z.object({}) },
  /** Every stored assessment with its model version, newest first (the /assessments page). */
  'assessments:list': {
    delivery: 'ack',
    payload: z.object({}).strict(),
    reply: z.object({
      assessments: z.array(
        z.object({
          id: z.number().int(),
          source: z.string(),
          createdAt: z.string(),
          metrics: z.unknown(),
          modelVersion: z.object({ id: z.number().int(), kind: z.string(), name: z.string(), path: z.string(), createdAt: z.string() }),
        }),
      ),
    }),
  },
  // ---- end voting ----
} as const satisfies Record<string, { delivery: 'ack'; payload: z.ZodType; reply: z.ZodType }>;

/** Server -> client pushes. */
export const serverPushes = {
  /** Sent to every client when the status changes (not for the ticking clock fields). */
  status: { delivery: 'reliable', payload: StatusSchema },
  // ---- drawing (issue 5) ----
  /** A room's players, drawer, round and guesses; sent to the room whenever they change. */
  'room:state': { delivery: 'reliable', payload: RoomStateSchema },
  /** The drawer's current drawing and the model's guess, streamed to the room while drawing. */
  'room:drawing': { delivery: 'reliable', payload: RoomDrawingSchema },
  // ---- end drawing ----
  // ---- training sessions (issue 4) ----
  /** To lobby watchers: a session's summary whenever it changes (progress at most once a second). */
  'sessions:summary': { delivery: 'reliable', payload: SessionSummarySchema },
  /** To a session's room: every event but batch metrics (states, epochs, lr changes, saved model). */
  'session:event': { delivery: 'reliable', payload: z.object({ sessionId: SessionIdSchema, event: SessionEventSchema }) },
  /** To a session's room: per-batch metrics with progress and ETA, at most ~10 per second. */
  'session:batch': { delivery: 'volatile', payload: z.object({ sessionId: SessionIdSchema, event: SessionBatchEventSchema }) },
  /** To a session's room: who joined or left (batched, at most a few per second). */
  'session:presence': {
    delivery: 'reliable',
    payload: z.object({ sessionId: SessionIdSchema, viewers: z.number().int(), changes: z.array(PresenceChangeSchema) }),
  },
  // ---- end training sessions ----
  // ---- voting (issue 6) ----
  /** To a voting room: a round started or closed (with its winners). */
  'vote:round': { delivery: 'reliable', payload: VoteRoundStateSchema },
  /** To a voting room: absolute tallies of the candidates whose votes changed (batched, in order, so the last one is exact). */
  'vote:tally': { delivery: 'reliable', payload: z.object({ roundId: z.number().int(), tallies: z.array(VoteTallySchema) }) },
  // ---- end voting ----
} as const satisfies Record<string, { delivery: Exclude<Delivery, 'ack'>; payload: z.ZodType }>;

export type RequestName = keyof typeof clientRequests;
export type RequestPayload<N extends RequestName> = z.input<(typeof clientRequests)[N]['payload']>;
export type RequestData<N extends RequestName> = z.output<(typeof clientRequests)[N]['reply']>;
export type PushName = keyof typeof serverPushes;
export type PushPayload<N extends PushName> = z.output<(typeof serverPushes)[N]['payload']>;

/** Socket.IO's typed-event maps, for `Server<...>` on the server and `Socket<...>` in app/. */
export type ClientToServerEvents = {
  [N in RequestName]: (payload: RequestPayload<N>, ack: (reply: Reply<RequestData<N>>) => void) => void;
};
export type ServerToClientEvents = {
  [N in PushName]: (payload: PushPayload<N>) => void;
};
