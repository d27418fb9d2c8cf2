/**
 * Collections over HTTP (same rules as the socket events: only the owner changes one):
 *   GET    /api/collections/:id                 view (owner, or anyone when public)
 *   POST   /api/collections                     { title, public? } create
 *   PATCH  /api/collections/:id                 { title?, public? } rename, publish
 *   DELETE /api/collections/:id
 *   POST   /api/collections/:id/items           { galleryItemId } add
 *   DELETE /api/collections/:id/items/:itemId   remove
 *   PUT    /api/collections/:id/order           { galleryItemIds } reorder
 */
import { z } from 'zod';
import type { Db } from '../../db';
import {
  addToCollection,
  CollectionAccessError,
  createCollection,
  deleteCollection,
  removeFromCollection,
  reorderCollection,
  updateCollection,
} from '../../db/repositories/collections';
import { ApiError, IDENTITY_PROBLEMS, type ApiRoute, type Guests } from '../../identity';
import { clientRequests, CollectionIdSchema } from '../protocol';
import { collectionFor, collectionView } from './views';

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError(400, r.error.issues.map((i) => i.message).join(' '));
  return r.data;
}

const idOf = (params: Record<string, string>) => parse(CollectionIdSchema, params.id);

export function collectionRoutes(guests: Guests, getDb: () => Promise<Db>): ApiRoute[] {
  const who = async (cookie: string | undefined) => {
    const found = await guests.identify(cookie);
    if (!found.guest) throw new ApiError(401, IDENTITY_PROBLEMS[found.problem]);
    return found.guest;
  };
  // The repository's refusals, as HTTP statuses.
  const guarded = (fn: ApiRoute['handler']): ApiRoute['handler'] => async (req, params) => {
    try {
      return await fn(req, params);
    } catch (err) {
      if (err instanceof CollectionAccessError) throw new ApiError(err.reason === 'not-owner' ? 403 : 404, err.message);
      throw err;
    }
  };
  const body = (name: keyof typeof clientRequests, value: unknown, id?: string) =>
    parse(clientRequests[name].payload, id === undefined ? value : { ...(value as object), id });

  return [
    {
      method: 'GET',
      pattern: 'collections/:id',
      handler: guarded(async (req, params) => {
        const viewer = (await guests.identify(req.cookie)).guest;
        return { body: await collectionFor(await getDb(), idOf(params), viewer?.id ?? null) };
      }),
    },
    {
      method: 'POST',
      pattern: 'collections',
      handler: guarded(async (req) => {
        const g = await who(req.cookie);
        const input = body('collection:create', req.body) as { title: string; public: boolean };
        return { status: 201, body: collectionView(await createCollection(await getDb(), g.id, input), g.id) };
      }),
    },
    {
      method: 'PATCH',
      pattern: 'collections/:id',
      handler: guarded(async (req, params) => {
        const g = await who(req.cookie);
        const { id, ...patch } = body('collection:update', req.body, idOf(params)) as { id: string; title?: string; public?: boolean };
        return { body: collectionView(await updateCollection(await getDb(), g.id, id, patch), g.id) };
      }),
    },
    {
      method: 'DELETE',
      pattern: 'collections/:id',
      handler: guarded(async (req, params) => {
        const g = await who(req.cookie);
        await deleteCollection(await getDb(), g.id, idOf(params));
        return { body: {} };
      }),
    },
    {
      method: 'POST',
      pattern: 'collections/:id/items',
      handler: guarded(async (req, params) => {
        const g = await who(req.cookie);
        const { id, galleryItemId } = body('collection:add', req.body, idOf(params)) as { id: string; galleryItemId: number };
        return { body: collectionView(await addToCollection(await getDb(), g.id, id, galleryItemId), g.id) };
      }),
    },
    {
      method: 'DELETE',
      pattern: 'collections/:id/items/:itemId',
      handler: guarded(async (req, params) => {
        const g = await who(req.cookie);
        const itemId = parse(z.coerce.number().int().positive(), params.itemId);
        return { body: collectionView(await removeFromCollection(await getDb(), g.id, idOf(params), itemId), g.id) };
      }),
    },
    {
      method: 'PUT',
      pattern: 'collections/:id/order',
      handler: guarded(async (req, params) => {
        const g = await who(req.cookie);
        const { id, galleryItemIds } = body('collection:reorder', req.body, idOf(params)) as { id: string; galleryItemIds: number[] };
        return { body: collectionView(await reorderCollection(await getDb(), g.id, id, galleryItemIds), g.id) };
      }),
    },
  ];
}
