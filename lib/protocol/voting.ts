/**
 * Voting rounds on VAE candidates and the community gallery.
 */
import { z } from './zod';
import { ClassIndexSchema, definePushes, defineRequests, IdSchema, push, request } from './common';
import { SessionIdSchema } from './sessions';
import { ModelVersionIdSchema } from './models';

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
export const VoteValueSchema = z.union([z.literal(1), z.literal(-1), z.literal(0)], {
  error: 'A vote is 1 (keep), -1 (discard) or 0 (withdraw).',
});

export const VoteTallySchema = z.object({
  candidateId: z.number().int(),
  up: z.number().int(),
  down: z.number().int(),
});
export type VoteTally = z.infer<typeof VoteTallySchema>;

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
export type VoteCandidate = z.infer<typeof VoteCandidateSchema>;

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
  parents: z.array(
    z.object({ id: z.number().int(), label: ClassIndexSchema, image: z.string(), roundNumber: z.number().int() }),
  ),
  /** Once closed: the winners (candidate id and gallery item id). */
  winners: z.array(z.object({ candidateId: z.number().int(), galleryItemId: z.number().int() })),
  /** A round opened in a live VAE session: the session and the epoch (1 = after the first) whose weights made the candidates. */
  session: z.object({ id: SessionIdSchema, epoch: z.number().int() }).nullable(),
});
export type VoteRoundState = z.infer<typeof VoteRoundStateSchema>;

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
export type GalleryItemSummary = z.infer<typeof GalleryItemSummarySchema>;

/** How a round is opened, on /vote and in a session: its class (null: every class), length, parents. */
const roundOptions = {
  label: ClassIndexSchema.nullable().default(null),
  durationSeconds: z.number().int().min(VOTE_LIMITS.minDurationSeconds).max(VOTE_LIMITS.maxDurationSeconds).default(60),
  breed: z.boolean().default(true),
};

const RoundReplySchema = z.object({ round: VoteRoundStateSchema });

export const votingRequests = defineRequests({
  // Writes need the guest cookie (pick a nickname over POST /api/identity, then reconnect).
  /** Enters a voting room; `vote:round` and `vote:tally` pushes follow. */
  'vote:join': request(
    { room: VoteRoomSchema },
    z.object({
      round: VoteRoundStateSchema.nullable(),
      you: z.object({ publicId: z.string(), nickname: z.string() }).nullable(),
      myVotes: z.array(z.object({ candidateId: z.number().int(), value: z.union([z.literal(1), z.literal(-1)]) })),
    }),
  ),
  'vote:leave': request({ room: VoteRoomSchema }, z.object({})),
  /**
   * Starts a round when none is open; the caller hosts it. `breed`: children of the last round's
   * winners (when it had any), else fresh draws. Takes about a second (generated in a worker).
   */
  'vote:start': request(
    {
      room: VoteRoomSchema,
      ...roundOptions,
      /** A VAE version to generate the candidates (the picker); null: the one served by default. */
      modelVersionId: ModelVersionIdSchema.nullable().default(null),
    },
    RoundReplySchema,
  ),
  /** One vote per person per candidate; a new value replaces the old; rate-limited per person. */
  'vote:cast': request(
    { roundId: IdSchema('A round id'), candidateId: IdSchema('A candidate id'), value: VoteValueSchema },
    z.object({ tally: VoteTallySchema, value: VoteValueSchema }),
  ),
  /** Host only: closes the round now; winners go to the gallery. */
  'vote:close': request({ roundId: IdSchema('A round id') }, RoundReplySchema),
  'gallery:list': request(
    {
      label: ClassIndexSchema.nullable().default(null),
      sort: z.enum(['votes', 'newest']).default('newest'),
      page: z.number().int().min(1).max(10_000).default(1),
      pageSize: z.number().int().min(1).max(VOTE_LIMITS.pageSize).default(24),
    },
    z.object({ items: z.array(GalleryItemSummarySchema), total: z.number().int() }),
  ),
  /** One item with its latent vector, model version, round and lineage. */
  'gallery:item': request(
    { id: IdSchema('A gallery item id') },
    z.object({
      item: GalleryItemSummarySchema.extend({
        latent: z.array(z.number()),
        modelVersion: z.object({ id: z.number().int(), name: z.string(), path: z.string() }).nullable(),
        round: z.object({ room: z.string(), number: z.number().int() }),
        /** Made in a live training session: its id and name, and the epoch whose weights generated it. */
        session: z.object({ id: SessionIdSchema, name: z.string(), epoch: z.number().int() }).nullable(),
        origin: z.string(),
      }),
      lineage: z.array(
        z.object({
          candidateId: z.number().int(),
          generation: z.number().int(),
          label: ClassIndexSchema,
          origin: z.string(),
          image: z.string(),
          roundNumber: z.number().int(),
          galleryItemId: z.number().int().nullable(),
        }),
      ),
    }),
  ),
  /** "More like this": fresh variations around an item's latent (not stored). */
  'gallery:variations': request(
    { id: IdSchema('A gallery item id'), count: z.number().int().min(1).max(12).default(8) },
    z.object({ images: z.array(z.object({ image: z.string(), confidence: z.number() })) }),
  ),
});

/**
 * Voting inside a live VAE session (its page, /sessions/<id>): the room is the session id, so
 * everyone there joins it with `vote:join { room: sessionId }`, votes with `vote:cast` and receives
 * `vote:round`/`vote:tally` as on /vote. Only the session's host opens and closes its rounds, on
 * candidates from the session's current weights (its latest finished epoch), one open at a time.
 */
export const sessionVotingRequests = defineRequests({
  'session:vote:open': request({ sessionId: SessionIdSchema, ...roundOptions }, RoundReplySchema),
  'session:vote:close': request({ sessionId: SessionIdSchema }, RoundReplySchema),
});

export const votingPushes = definePushes({
  /** To a voting room: a round started or closed (with its winners). */
  'vote:round': push(VoteRoundStateSchema, 'reliable'),
  /** To a voting room: absolute tallies of the candidates whose votes changed (batched, in order, so the last one is exact). */
  'vote:tally': push(z.object({ roundId: z.number().int(), tallies: z.array(VoteTallySchema) }), 'reliable'),
});
