/**
 * Drawing: recognize a garment while drawing, saved sketches, shared drawing rooms.
 */
import { z } from './zod';
import { ClassIndexSchema, definePushes, defineRequests, IdSchema, NicknameSchema, push, request } from './common';
import { ModelVersionIdSchema } from './models';

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

/** One stroke as drawn: flat [x0, y0, x1, y1, ...] canvas pixels, the pen's width, pen or eraser. */
/**
 * A stroke's numbers, checked in one loop rather than by a schema per number: that cost ~0.3 µs a
 * number, ~4 ms of the socket thread for a 6,000-point drawing, which a client may send 20 times a
 * second (issue 21, `npm run bench:abuse`). Same sentences as per-number schemas would give.
 */
const StrokePointsSchema = z
  .custom<number[]>((v) => Array.isArray(v), { error: 'Stroke points must be a list of numbers.' })
  .check((ctx) => {
    const points = ctx.value;
    for (let i = 0; i < points.length; i++) {
      const x = points[i];
      const message =
        typeof x !== 'number' || !Number.isFinite(x)
          ? 'Stroke points must be finite numbers.'
          : x < -DRAW_LIMITS.coordinate || x > DRAW_LIMITS.coordinate
            ? `Stroke points must lie within ${DRAW_LIMITS.coordinate} pixels of the origin.`
            : null;
      if (message) {
        ctx.issues.push({ code: 'custom', message, input: x, path: [i] });
        return;
      }
    }
  });

export const StrokeSchema = z
  .object({
    points: StrokePointsSchema.refine((p) => p.length >= 2, 'A stroke needs at least one point.')
      .refine((p) => p.length <= 2 * DRAW_LIMITS.points, `A stroke may have at most ${DRAW_LIMITS.points} points.`)
      .refine((p) => p.length % 2 === 0, 'Stroke points come in x, y pairs.'),
    width: z.number().min(DRAW_LIMITS.minWidth).max(DRAW_LIMITS.maxWidth),
    tool: z.enum(['pen', 'eraser']).default('pen'),
  })
  .strict();
export type StrokeInput = z.input<typeof StrokeSchema>;

export const StrokesSchema = z
  .array(StrokeSchema)
  .max(
    DRAW_LIMITS.strokes,
    `A drawing may have at most ${DRAW_LIMITS.strokes} strokes; clear the canvas and start again.`,
  )
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
  /** Its model version id (/models/<id>); null when the served folder is not registered yet. */
  modelVersionId: z.number().int().nullable().optional(),
  /** Server time for preprocessing and inference, in ms. */
  elapsedMs: z.number(),
});
export type Recognition = z.infer<typeof RecognitionSchema>;

export const SavedSketchSchema = z.object({
  id: z.number().int(),
  label: ClassIndexSchema,
  guess: ClassIndexSchema,
  /** The 28x28 image the model saw, as a PNG data URL. */
  image: z.string(),
  author: z.string().nullable(),
  createdAt: z.string(),
});
export type SavedSketch = z.infer<typeof SavedSketchSchema>;

export const RoomIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/, 'A room name is 1-32 lower-case letters, digits or hyphens.');

export const RoomGuessSchema = z.object({
  /** null for the model. */
  playerId: z.string().nullable(),
  name: z.string(),
  label: ClassIndexSchema,
  correct: z.boolean(),
  /** Since the round started, in ms. */
  atMs: z.number(),
});
export type RoomGuess = z.infer<typeof RoomGuessSchema>;

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
export type RoomState = z.infer<typeof RoomStateSchema>;

export const RoomDrawingSchema = z.object({
  roomId: RoomIdSchema,
  round: z.number().int(),
  strokes: z.array(StrokeSchema),
  /** The model's current probabilities for the drawing, null while the canvas is empty. */
  recognition: RecognitionSchema.nullable(),
});
export type RoomDrawing = z.infer<typeof RoomDrawingSchema>;

/** A CNN version picked to answer; null: the one served by default. */
const pickedModel = ModelVersionIdSchema.nullable().default(null);

export const drawingRequests = defineRequests({
  /** The model's guess for a drawing. Rate-limited per connection (the page sends a few per second). */
  'draw:recognize': request({ strokes: StrokesSchema, modelVersionId: pickedModel }, RecognitionSchema),
  /**
   * Keeps a drawing with the label its author confirmed; the server re-computes image and guess.
   * The author is the connection's guest cookie (server/identity), never a claim in the payload.
   */
  'draw:save': request(
    { strokes: StrokesSchema, label: ClassIndexSchema, modelVersionId: pickedModel },
    z.object({ id: z.number().int(), guess: ClassIndexSchema, modelVersion: z.string() }),
  ),
  /** Saved drawings, newest first, optionally of one class; `beforeId` pages further back. */
  'sketches:list': request(
    {
      label: ClassIndexSchema.nullable().default(null),
      limit: z.number().int().min(1).max(60).default(24),
      beforeId: IdSchema('beforeId').nullable().default(null),
    },
    z.object({ sketches: z.array(SavedSketchSchema), hasMore: z.boolean() }),
  ),
  /** Enters a shared drawing room (created on first join); the reply is its state. */
  'room:join': request(
    { roomId: RoomIdSchema, nickname: NicknameSchema },
    z.object({ playerId: z.string(), state: RoomStateSchema, drawing: RoomDrawingSchema }),
  ),
  'room:leave': request({ roomId: RoomIdSchema }, z.object({})),
  /** Makes the caller the drawer of a new round; only the drawer learns the garment to draw. */
  'room:start': request({ roomId: RoomIdSchema }, z.object({ round: z.number().int(), target: ClassIndexSchema })),
  /** The drawer's whole current drawing (sent while drawing); rate-limited like draw:recognize. */
  'room:draw': request(
    { roomId: RoomIdSchema, strokes: StrokesSchema, modelVersionId: pickedModel },
    RecognitionSchema.nullable(),
  ),
  /** A watcher's guess of the garment being drawn. */
  'room:guess': request(
    { roomId: RoomIdSchema, label: ClassIndexSchema },
    z.object({ correct: z.boolean(), first: z.boolean() }),
  ),
});

export const drawingPushes = definePushes({
  /** A room's players, drawer, round and guesses; sent to the room whenever they change. */
  'room:state': push(RoomStateSchema, 'reliable'),
  /** The drawer's current drawing and the model's guess, streamed to the room while drawing. */
  'room:drawing': push(RoomDrawingSchema, 'reliable'),
});
