/**
 * Personal collections of gallery items.
 */
import { z } from './zod';
import { ClassIndexSchema, defineRequests, IdSchema, request, TextSchema } from './common';
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

const GalleryItemIdSchema = IdSchema('A gallery item id');

/** Collections per page of `collections:list` (public ones; a guest's own all fit one page). */
export const COLLECTIONS_PAGE = 60;

export const collectionRequests = defineRequests({
  /**
   * The caller's collections (`mine`) or everyone's public ones, most recently changed first, a
   * page at a time; `after` (the last one shown) pages further.
   */
  'collections:list': request(
    {
      scope: z.enum(['mine', 'public']),
      after: z
        .object({
          updatedAt: z.iso.datetime({ error: 'after.updatedAt must be an ISO date.' }),
          id: CollectionIdSchema,
        })
        .nullable()
        .default(null),
    },
    z.object({
      /** Where the next page starts (the last collection this page read, shown or not); null: no more. */
      next: z.object({ updatedAt: z.string(), id: z.string() }).nullable(),
      collections: z.array(
        CollectionSchema.omit({ items: true }).extend({ count: z.number().int(), preview: z.array(z.string()) }),
      ),
    }),
  ),
  'collection:get': request({ id: CollectionIdSchema }, CollectionSchema),
  'collection:create': request({ title: CollectionTitleSchema, public: z.boolean().default(false) }, CollectionSchema),
  /** Owner only, like every collection change below. */
  'collection:update': request(
    { id: CollectionIdSchema, title: CollectionTitleSchema.optional(), public: z.boolean().optional() },
    CollectionSchema,
  ),
  'collection:add': request({ id: CollectionIdSchema, galleryItemId: GalleryItemIdSchema }, CollectionSchema),
  'collection:remove': request({ id: CollectionIdSchema, galleryItemId: GalleryItemIdSchema }, CollectionSchema),
  'collection:reorder': request(
    { id: CollectionIdSchema, galleryItemIds: z.array(GalleryItemIdSchema).max(500) },
    CollectionSchema,
  ),
  'collection:delete': request({ id: CollectionIdSchema }, z.object({})),
});
