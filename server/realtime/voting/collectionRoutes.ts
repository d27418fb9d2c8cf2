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
import { CollectionAccessError } from '../../db/repositories/collections';
import { ApiError, IDENTITY_PROBLEMS, type ApiRoute, type Guests } from '../../identity';
import type { ApiRequest } from '../../http/api';
import type { Limits } from '../../limits';
import type { Moderation } from '../../moderation';
import { clientRequests, CollectionIdSchema, IdSchema } from '../../../lib/protocol';
import type { ParsedPayload } from '../requests';
import { writeCollection, type CollectionWrite } from './collectionWrites';
import { MissingError, ShownContent } from './shown';
import { collectionFor } from './views';

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError(400, r.error.issues.map((i) => i.message).join(' '));
  return r.data;
}

const idOf = (params: Record<string, string>) => parse(CollectionIdSchema, params.id);

export function collectionRoutes(
  guests: Guests,
  getDb: () => Promise<Db>,
  limits: Limits,
  moderation: Moderation,
): ApiRoute[] {
  const shown = new ShownContent(moderation);
  const who = async (cookie: string | undefined) => {
    const found = await guests.identify(cookie);
    if (!found.guest) throw new ApiError(401, IDENTITY_PROBLEMS[found.problem]);
    return found.guest;
  };
  // The repository's refusals, as HTTP statuses.
  const guarded =
    (fn: ApiRoute['handler']): ApiRoute['handler'] =>
    async (req, params) => {
      try {
        return await fn(req, params);
      } catch (err) {
        if (err instanceof CollectionAccessError)
          throw new ApiError(err.reason === 'not-owner' ? 403 : 404, err.message);
        if (err instanceof MissingError) throw new ApiError(404, err.message);
        throw err;
      }
    };
  /** Parses the body (with the id from the path) by the socket event's schema and applies the write. */
  const apply = async <N extends CollectionWrite>(name: N, req: ApiRequest, value: unknown) => {
    const g = await who(req.cookie);
    await limits.take('collectionWrite', { guest: g.id, address: req.address });
    const input = parse(clientRequests[name].payload, value) as ParsedPayload<N>;
    return writeCollection(name, await getDb(), g.id, input, shown);
  };
  const withId = (value: unknown, params: Record<string, string>) => ({ ...(value as object), id: idOf(params) });

  return [
    {
      method: 'GET',
      pattern: 'collections/:id',
      handler: guarded(async (req, params) => {
        const viewer = (await guests.identify(req.cookie)).guest;
        const view = await collectionFor(await getDb(), idOf(params), viewer?.id ?? null);
        await shown.ready();
        return { body: shown.collection(view) };
      }),
    },
    {
      method: 'POST',
      pattern: 'collections',
      handler: guarded(async (req) => ({ status: 201, body: await apply('collection:create', req, req.body) })),
    },
    {
      method: 'PATCH',
      pattern: 'collections/:id',
      handler: guarded(async (req, params) => ({
        body: await apply('collection:update', req, withId(req.body, params)),
      })),
    },
    {
      method: 'DELETE',
      pattern: 'collections/:id',
      handler: guarded(async (req, params) => ({ body: await apply('collection:delete', req, withId({}, params)) })),
    },
    {
      method: 'POST',
      pattern: 'collections/:id/items',
      handler: guarded(async (req, params) => ({ body: await apply('collection:add', req, withId(req.body, params)) })),
    },
    {
      method: 'DELETE',
      pattern: 'collections/:id/items/:itemId',
      handler: guarded(async (req, params) => {
        const galleryItemId = parse(
          z.coerce.number({ error: 'A gallery item id must be a number.' }).pipe(IdSchema('A gallery item id')),
          params.itemId,
        );
        return { body: await apply('collection:remove', req, withId({ galleryItemId }, params)) };
      }),
    },
    {
      method: 'PUT',
      pattern: 'collections/:id/order',
      handler: guarded(async (req, params) => ({
        body: await apply('collection:reorder', req, withId(req.body, params)),
      })),
    },
  ];
}
