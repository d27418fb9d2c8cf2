/**
 * Personal collections of gallery items.
 */
import { z } from 'zod';
import { ClassIndexSchema } from './common';
import { VOTE_LIMITS } from './voting';

export const CollectionTitleSchema = z
  .string({ error: 'A title is text.' })
  .trim()
  .min(1, 'Give the collection a title.')
  .max(VOTE_LIMITS.collectionTitle, `A title has at most ${VOTE_LIMITS.collectionTitle} characters.`)
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'A title cannot contain control characters.');

export const CollectionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,32}$/, 'A collection id is 6-32 letters, digits, - or _; check the link.');

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

export type CollectionView = z.infer<typeof CollectionSchema>;

export const collectionRequests = {
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
} as const satisfies Record<string, { delivery: 'ack'; payload: z.ZodType; reply: z.ZodType }>;
