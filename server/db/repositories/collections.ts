/**
 * Personal collections of gallery items: create, rename, public or private, add, remove, reorder,
 * delete. Every change goes through `ownedCollection`, so no caller can forget that only the owner
 * changes a collection; a private collection is visible to its owner only.
 */
import { randomBytes } from 'node:crypto';
import { UserFacingError } from '../../errors';
import type { Db } from '../client';
import type { Prisma } from '../generated/client';

export const MAX_COLLECTION_ITEMS = 500;
export const MAX_COLLECTIONS_PER_GUEST = 100;

/** Refusals the HTTP edge maps to 404 and 403. */
export class CollectionAccessError extends UserFacingError {
  constructor(
    readonly reason: 'not-found' | 'not-owner',
    message: string,
  ) {
    super(message);
  }
}

const detailInclude = {
  owner: { select: { id: true, nickname: true } },
  items: {
    orderBy: [{ order: 'asc' }, { id: 'asc' }],
    include: { galleryItem: { select: { id: true, label: true, image: true, score: true, confidence: true } } },
  },
} as const satisfies Prisma.CollectionInclude;

export type CollectionDetail = Prisma.CollectionGetPayload<{ include: typeof detailInclude }>;

const notFound = (id: string) =>
  new CollectionAccessError(
    'not-found',
    `There is no collection ${id} you can see; check the link (a private collection is visible to its owner only).`,
  );

/** A collection as `viewerId` may see it (owner, or anyone when public). */
export async function getCollection(db: Db, id: string, viewerId: string | null): Promise<CollectionDetail> {
  const c = await db.collection.findUnique({ where: { id }, include: detailInclude });
  if (!c || (!c.public && c.ownerId !== viewerId)) throw notFound(id);
  return c;
}

async function ownedCollection(
  db: Db | Prisma.TransactionClient,
  id: string,
  guestId: string,
): Promise<{ id: string }> {
  const c = await db.collection.findUnique({ where: { id }, select: { id: true, ownerId: true, public: true } });
  if (!c || (!c.public && c.ownerId !== guestId)) throw notFound(id);
  if (c.ownerId !== guestId)
    throw new CollectionAccessError(
      'not-owner',
      'Only the owner of this collection can change it; save the items into a collection of your own.',
    );
  return c;
}

/**
 * The owner's collection, locked for the rest of the transaction (its row updated first): two
 * changes to one collection at once (a double click, two tabs) run one after the other, so an
 * item added twice is added once, orders stay distinct and the item limit holds.
 */
async function lockedOwnedCollection(tx: Prisma.TransactionClient, id: string, guestId: string): Promise<void> {
  await ownedCollection(tx, id, guestId);
  try {
    await tx.collection.update({ where: { id }, data: { updatedAt: new Date() }, select: { id: true } });
  } catch (err) {
    if (isRecordMissing(err)) throw notFound(id); // deleted meanwhile
    throw err;
  }
}

/** Prisma's "the record to update or delete does not exist" (P2025). */
const isRecordMissing = (err: unknown) => (err as { code?: unknown } | null)?.code === 'P2025';

/** Runs `write`, answering a collection deleted meanwhile (by another tab) as not found. */
async function unlessDeleted<T>(id: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isRecordMissing(err)) throw notFound(id);
    throw err;
  }
}

export async function createCollection(
  db: Db,
  ownerId: string,
  input: { title: string; public: boolean },
): Promise<CollectionDetail> {
  const owned = await db.collection.count({ where: { ownerId } });
  if (owned >= MAX_COLLECTIONS_PER_GUEST)
    throw new UserFacingError(`You have ${owned} collections, the most allowed; delete one first.`);
  const id = randomBytes(9).toString('base64url');
  return db.collection.create({
    data: { id, ownerId, title: input.title, public: input.public },
    include: detailInclude,
  });
}

/**
 * Most recently changed first; `after` (the last one of the previous page) pages further.
 * `unlisted`: gallery items left out of the counts and previews (an operator hid them).
 */
export function listCollections(
  db: Db,
  filter: { ownerId: string } | { public: true },
  limit = 100,
  unlisted: number[] = [],
  after: { updatedAt: Date; id: string } | null = null,
) {
  const listed = unlisted.length ? { galleryItemId: { notIn: unlisted } } : {};
  const page = after
    ? { OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { gt: after.id } }] }
    : {};
  return db.collection.findMany({
    where: { ...('ownerId' in filter ? { ownerId: filter.ownerId } : { public: true }), ...page },
    orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
    take: limit,
    include: {
      owner: { select: { nickname: true } },
      _count: { select: { items: { where: listed } } },
      items: {
        where: listed,
        orderBy: [{ order: 'asc' }, { id: 'asc' }],
        take: 4,
        include: { galleryItem: { select: { id: true, image: true } } },
      },
    },
  });
}

export async function updateCollection(
  db: Db,
  guestId: string,
  id: string,
  patch: { title?: string; public?: boolean },
): Promise<CollectionDetail> {
  await ownedCollection(db, id, guestId);
  return unlessDeleted(id, () => db.collection.update({ where: { id }, data: patch, include: detailInclude }));
}

export async function deleteCollection(db: Db, guestId: string, id: string): Promise<void> {
  await ownedCollection(db, id, guestId);
  await unlessDeleted(id, () => db.collection.delete({ where: { id } }));
}

/** Appends a gallery item (already there: nothing changes). */
export async function addToCollection(
  db: Db,
  guestId: string,
  id: string,
  galleryItemId: number,
): Promise<CollectionDetail> {
  return db.$transaction(async (tx) => {
    await lockedOwnedCollection(tx, id, guestId);
    if (!(await tx.galleryItem.findUnique({ where: { id: galleryItemId }, select: { id: true } }))) {
      throw new UserFacingError(`There is no gallery item ${galleryItemId}; pick one from the gallery.`);
    }
    const count = await tx.collectionItem.count({ where: { collectionId: id } });
    if (count >= MAX_COLLECTION_ITEMS)
      throw new UserFacingError(`A collection holds at most ${MAX_COLLECTION_ITEMS} items; remove some first.`);
    const last = await tx.collectionItem.findFirst({
      where: { collectionId: id },
      orderBy: { order: 'desc' },
      select: { order: true },
    });
    await tx.collectionItem.upsert({
      where: { collectionId_galleryItemId: { collectionId: id, galleryItemId } },
      create: { collectionId: id, galleryItemId, order: (last?.order ?? -1) + 1 },
      update: {},
    });
    return tx.collection.findUniqueOrThrow({ where: { id }, include: detailInclude });
  });
}

export async function removeFromCollection(
  db: Db,
  guestId: string,
  id: string,
  galleryItemId: number,
): Promise<CollectionDetail> {
  return db.$transaction(async (tx) => {
    await lockedOwnedCollection(tx, id, guestId);
    await tx.collectionItem.deleteMany({ where: { collectionId: id, galleryItemId } });
    return tx.collection.findUniqueOrThrow({ where: { id }, include: detailInclude });
  });
}

/**
 * `galleryItemIds` must be exactly the collection's items, in their new order, but those in
 * `unlisted` (items an operator hid, which its owner no longer sees): they keep their order after
 * the others.
 */
export async function reorderCollection(
  db: Db,
  guestId: string,
  id: string,
  listedIds: number[],
  unlisted: ReadonlySet<number> = new Set(),
): Promise<CollectionDetail> {
  return db.$transaction(async (tx) => {
    await lockedOwnedCollection(tx, id, guestId);
    const items = await tx.collectionItem.findMany({
      where: { collectionId: id },
      orderBy: [{ order: 'asc' }, { id: 'asc' }],
      select: { galleryItemId: true },
    });
    const kept = items.map((i) => i.galleryItemId).filter((g) => unlisted.has(g) && !listedIds.includes(g));
    const galleryItemIds = [...listedIds, ...kept];
    const have = new Set(items.map((i) => i.galleryItemId));
    if (
      galleryItemIds.length !== have.size ||
      new Set(galleryItemIds).size !== have.size ||
      !galleryItemIds.every((g) => have.has(g))
    ) {
      throw new UserFacingError(
        'The new order must list every item of the collection exactly once; reload the collection and try again.',
      );
    }
    for (const [order, galleryItemId] of galleryItemIds.entries()) {
      await tx.collectionItem.update({
        where: { collectionId_galleryItemId: { collectionId: id, galleryItemId } },
        data: { order },
      });
    }
    return tx.collection.findUniqueOrThrow({ where: { id }, include: detailInclude });
  });
}
