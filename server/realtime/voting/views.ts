/**
 * Database rows as the protocol's shapes (PNG bytes as data URLs, dates as ISO text), shared by
 * the socket handlers and the HTTP routes so both answer alike.
 */
import {
  getCollection,
  listCollections,
  MAX_COLLECTIONS_PER_GUEST,
  type CollectionDetail,
} from '../../db/repositories/collections';
import {
  galleryItem,
  lineage,
  listGallery,
  type GalleryFilter,
  type GalleryListItem,
} from '../../db/repositories/gallery';
import type { Db } from '../../db';
import { UserFacingError } from '../../errors';
import { pngDataUrl } from '../../ml/image';
import {
  COLLECTIONS_PAGE,
  type CollectionView,
  type GalleryItemSummary,
  type RequestData,
  type RequestPayload,
} from '../../../lib/protocol';

export function gallerySummary(i: GalleryListItem): GalleryItemSummary {
  return {
    id: i.id,
    label: i.label,
    image: pngDataUrl(i.image),
    confidence: i.confidence,
    upVotes: i.upVotes,
    downVotes: i.downVotes,
    score: i.score,
    author: i.author?.nickname ?? null,
    createdAt: i.createdAt.toISOString(),
  };
}

export async function galleryPage(db: Db, f: GalleryFilter): Promise<RequestData<'gallery:list'>> {
  const { items, total } = await listGallery(db, f);
  return { items: items.map(gallerySummary), total };
}

export async function galleryDetail(db: Db, id: number): Promise<RequestData<'gallery:item'>> {
  const item = await galleryItem(db, id);
  if (!item) throw new UserFacingError(`There is no gallery item ${id}; pick one from the gallery.`);
  const ancestors = await lineage(db, item.candidate.parentIds);
  return {
    item: {
      ...gallerySummary(item),
      latent: item.latent,
      modelVersion: item.modelVersion && {
        id: item.modelVersion.id,
        name: item.modelVersion.name,
        path: item.modelVersion.path,
      },
      round: { room: item.candidate.round.room, number: item.candidate.round.number },
      session: sessionOf(item.candidate.round),
      origin: item.candidate.origin,
    },
    lineage: ancestors.map((a) => ({ ...a, image: pngDataUrl(a.image) })),
  };
}

function sessionOf(round: { sessionId: string | null; sessionEpoch: number | null; session: { name: string } | null }) {
  return round.sessionId && round.sessionEpoch !== null
    ? { id: round.sessionId, name: round.session?.name ?? round.sessionId, epoch: round.sessionEpoch }
    : null;
}

export function collectionView(c: CollectionDetail, viewerId: string | null): CollectionView {
  return {
    id: c.id,
    title: c.title,
    public: c.public,
    owner: c.owner.nickname,
    yours: c.ownerId === viewerId,
    items: c.items.map((i) => ({
      galleryItemId: i.galleryItem.id,
      label: i.galleryItem.label,
      image: pngDataUrl(i.galleryItem.image),
      score: i.galleryItem.score,
    })),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export async function collectionFor(db: Db, id: string, viewerId: string | null): Promise<CollectionView> {
  return collectionView(await getCollection(db, id, viewerId), viewerId);
}

/**
 * A page of collections (COLLECTIONS_PAGE) after `after`; `unlisted`: gallery items left out of
 * the counts and previews (an operator hid them).
 */
export async function collectionList(
  db: Db,
  { scope, after }: RequestPayload<'collections:list'>,
  viewerId: string | null,
  unlisted: number[] = [],
): Promise<RequestData<'collections:list'>> {
  if (scope === 'mine' && !viewerId) return { collections: [], next: null };
  // A guest's own collections all fit one page (the gallery's "add to" pickers list them all).
  const size = scope === 'mine' ? MAX_COLLECTIONS_PER_GUEST : COLLECTIONS_PAGE;
  const rows = await listCollections(
    db,
    scope === 'mine' ? { ownerId: viewerId! } : { public: true },
    size + 1,
    unlisted,
    after && { updatedAt: new Date(after.updatedAt), id: after.id },
  );
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return {
    // From the last row read, not the last shown: a page a moderator hid entirely still moves on.
    next: rows.length > size && last ? { updatedAt: last.updatedAt.toISOString(), id: last.id } : null,
    collections: page.map((c) => ({
      id: c.id,
      title: c.title,
      public: c.public,
      owner: c.owner.nickname,
      yours: c.ownerId === viewerId,
      updatedAt: c.updatedAt.toISOString(),
      count: c._count.items,
      preview: c.items.map((i) => pngDataUrl(i.galleryItem.image)),
    })),
  };
}
