/**
 * The changes an owner makes to a collection, written once for both transports: the socket events
 * (handlers.ts) and the HTTP routes (collectionRoutes.ts) parse their input by the same protocol
 * schema, identify the guest their own way, and call these. Each answers with the collection as
 * its owner now sees it (hidden items left out: shown.ts); the repository refuses anyone but the
 * owner (CollectionAccessError). A hidden item cannot be added; a reorder keeps the hidden items,
 * which the owner does not see, after the others.
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
import type { CollectionView, RequestData } from '../../../lib/protocol';
import type { ParsedPayload } from '../requests';
import { collectionView } from './views';
import type { ShownContent } from './shown';

export type CollectionWrite =
  | 'collection:create'
  | 'collection:update'
  | 'collection:add'
  | 'collection:remove'
  | 'collection:reorder'
  | 'collection:delete';

type Write<N extends CollectionWrite> = (
  db: Db,
  ownerId: string,
  input: ParsedPayload<N>,
  shown: ShownContent,
) => Promise<RequestData<N>>;

const writes: { [N in CollectionWrite]: Write<N> } = {
  'collection:create': async (db, owner, input) => collectionView(await createCollection(db, owner, input), owner),
  'collection:update': async (db, owner, { id, ...patch }) =>
    collectionView(await updateCollection(db, owner, id, patch), owner),
  'collection:add': async (db, owner, { id, galleryItemId }, shown) => {
    await shown.assertItemShown(galleryItemId);
    return collectionView(await addToCollection(db, owner, id, galleryItemId), owner);
  },
  'collection:remove': async (db, owner, { id, galleryItemId }) =>
    collectionView(await removeFromCollection(db, owner, id, galleryItemId), owner),
  'collection:reorder': async (db, owner, { id, galleryItemIds }, shown) => {
    await shown.ready();
    return collectionView(await reorderCollection(db, owner, id, galleryItemIds, new Set(shown.hiddenItems())), owner);
  },
  'collection:delete': async (db, owner, { id }) => {
    await deleteCollection(db, owner, id);
    return {};
  },
};

export const COLLECTION_WRITES = Object.keys(writes) as CollectionWrite[];

/** Applies an owner's change; the reply is the collection as its owner sees it (hidden items left out). */
export async function writeCollection<N extends CollectionWrite>(
  name: N,
  db: Db,
  ownerId: string,
  input: ParsedPayload<N>,
  shown: ShownContent,
): Promise<RequestData<N>> {
  const reply = await writes[name](db, ownerId, input, shown);
  if (!('id' in reply)) return reply;
  await shown.ready();
  return shown.collection(reply as CollectionView) as RequestData<N>;
}
