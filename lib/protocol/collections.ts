/**
 * Personal collections of gallery items.
 */
import { z } from './zod';
import { ClassIndexSchema, IdSchema, TextSchema } from './common';
import { VOTE_LIMITS } from './voting';

export const CollectionTitleSchema = TextSchema('A title', VOTE_LIMITS.collectionTitle, 'Give the collection a title.');

export const CollectionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,32}$/, 'A collection id is 6-32 letters, digits, - or _; check the link.');

export const CollectionSchema = z.object({
  id: CollectionIdSchema,
  title: z.string(),
  public: z.boolean(),
  owner: z.string(),
  /** Whether the caller owns it (and may change it). */
  yours: z.boolean(),
  items: z.array(
    z.object({ galleryItemId: z.number().int(), label: ClassIndexSchema, image: z.string(), score: z.number().int() }),
  ),
  updatedAt: z.string(),
});

export type CollectionView = z.infer<typeof CollectionSchema>;

export const collectionRequests = {
  /** The caller's collections (`mine`) or everyone's public ones. */
  'collections:list': {
    delivery: 'ack',
    payload: z.object({ scope: z.enum(['mine', 'public']) }).strict(),
    reply: z.object({
      collections: z.array(
        CollectionSchema.omit({ items: true }).extend({ count: z.number().int(), preview: z.array(z.string()) }),
      ),
    }),
  },
  'collection:get': {
    delivery: 'ack',
    payload: z.object({ id: CollectionIdSchema }).strict(),
    reply: CollectionSchema,
  },
  'collection:create': {
    delivery: 'ack',
    payload: z.object({ title: CollectionTitleSchema, public: z.boolean().default(false) }).strict(),
    reply: CollectionSchema,
  },
  /** Owner only, like every collection change below. */
  'collection:update': {
    delivery: 'ack',
    payload: z
      .object({ id: CollectionIdSchema, title: CollectionTitleSchema.optional(), public: z.boolean().optional() })
      .strict(),
    reply: CollectionSchema,
  },
  'collection:add': {
    delivery: 'ack',
    payload: z.object({ id: CollectionIdSchema, galleryItemId: IdSchema('A gallery item id') }).strict(),
    reply: CollectionSchema,
  },
  'collection:remove': {
    delivery: 'ack',
    payload: z.object({ id: CollectionIdSchema, galleryItemId: IdSchema('A gallery item id') }).strict(),
    reply: CollectionSchema,
  },
  'collection:reorder': {
    delivery: 'ack',
    payload: z
      .object({ id: CollectionIdSchema, galleryItemIds: z.array(IdSchema('A gallery item id')).max(500) })
      .strict(),
    reply: CollectionSchema,
  },
  'collection:delete': { delivery: 'ack', payload: z.object({ id: CollectionIdSchema }).strict(), reply: z.object({}) },
} as const satisfies Record<string, { delivery: 'ack'; payload: z.ZodType; reply: z.ZodType }>;
