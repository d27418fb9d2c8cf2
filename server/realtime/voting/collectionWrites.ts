/**
 * The changes an owner makes to a collection, written once for both transports: the socket events
 * (handlers.ts) and the HTTP routes (collectionRoutes.ts) parse their input by the same protocol
 * schema, identify the guest their own way, and call these. Each answers with the collection as
 * its owner now sees it; the repository refuses anyone but the owner (CollectionAccessError).
 */
import type { Db } from '../../db';
import {
  addToCollection,
  createCollection,
  deleteCollection,
  removeFromCollection,
  reorderCollection,
  updateCollection,
} from '../../db/repositories/collections';
import type { RequestData } from '../../../lib/protocol';
import type { ParsedPayload } from '../requests';
import { collectionView } from './views';

export type CollectionWrite =
  | 'collection:create'
  | 'collection:update'
  | 'collection:add'
  | 'collection:remove'
  | 'collection:reorder'
  | 'collection:delete';

type Write<N extends CollectionWrite> = (db: Db, ownerId: string, input: ParsedPayload<N>) => Promise<RequestData<N>>;

export const collectionWrites: { [N in CollectionWrite]: Write<N> } = {
  'collection:create': async (db, owner, input) => collectionView(await createCollection(db, owner, input), owner),
  'collection:update': async (db, owner, { id, ...patch }) =>
    collectionView(await updateCollection(db, owner, id, patch), owner),
  'collection:add': async (db, owner, { id, galleryItemId }) =>
    collectionView(await addToCollection(db, owner, id, galleryItemId), owner),
  'collection:remove': async (db, owner, { id, galleryItemId }) =>
    collectionView(await removeFromCollection(db, owner, id, galleryItemId), owner),
  'collection:reorder': async (db, owner, { id, galleryItemIds }) =>
    collectionView(await reorderCollection(db, owner, id, galleryItemIds), owner),
  'collection:delete': async (db, owner, { id }) => {
    await deleteCollection(db, owner, id);
    return {};
  },
};
