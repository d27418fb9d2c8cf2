/**
 * The community gallery: winners of voting rounds, filtered by class and sorted by votes or age,
 * one page at a time; an item with its lineage (the candidates it was bred from, generation by
 * generation) and where it came from (model version, round, author).
 */
import type { Db } from '../client';
import type { Prisma } from '../generated/client';

export interface GalleryFilter {
  label: number | null;
  sort: 'votes' | 'newest';
  /** 1-based */
  page: number;
  pageSize: number;
}

const listSelect = {
  id: true,
  label: true,
  confidence: true,
  image: true,
  upVotes: true,
  downVotes: true,
  score: true,
  createdAt: true,
  author: { select: { nickname: true } },
} as const satisfies Prisma.GalleryItemSelect;

export type GalleryListItem = Prisma.GalleryItemGetPayload<{ select: typeof listSelect }>;

export async function listGallery(db: Db, f: GalleryFilter): Promise<{ items: GalleryListItem[]; total: number }> {
  const where = f.label === null ? {} : { label: f.label };
  const orderBy: Prisma.GalleryItemOrderByWithRelationInput[] =
    f.sort === 'votes'
      ? [{ score: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }]
      : [{ createdAt: 'desc' }, { id: 'desc' }];
  const [items, total] = await Promise.all([
    db.galleryItem.findMany({ where, orderBy, skip: (f.page - 1) * f.pageSize, take: f.pageSize, select: listSelect }),
    db.galleryItem.count({ where }),
  ]);
  return { items, total };
}

const detailInclude = {
  author: { select: { nickname: true } },
  modelVersion: { select: { id: true, name: true, path: true, createdAt: true } },
  candidate: {
    select: {
      id: true,
      parentIds: true,
      origin: true,
      round: {
        select: {
          id: true,
          room: true,
          number: true,
          sessionId: true,
          sessionEpoch: true,
          session: { select: { name: true } },
        },
      },
    },
  },
} as const satisfies Prisma.GalleryItemInclude;

export type GalleryDetail = Prisma.GalleryItemGetPayload<{ include: typeof detailInclude }>;

export function galleryItem(db: Db, id: number): Promise<GalleryDetail | null> {
  return db.galleryItem.findUnique({ where: { id }, include: detailInclude });
}

export interface Ancestor {
  candidateId: number;
  /** 1 = a parent, 2 = a grandparent, ... */
  generation: number;
  label: number;
  origin: string;
  parentIds: number[];
  image: Uint8Array;
  roundNumber: number;
  /** When the ancestor itself won its round. */
  galleryItemId: number | null;
}

/** The candidates `candidateId` descends from, up to `generations` back. */
export async function lineage(db: Db, parentIds: number[], generations = 4): Promise<Ancestor[]> {
  const out: Ancestor[] = [];
  const seen = new Set<number>();
  let frontier = parentIds;
  for (let g = 1; g <= generations && frontier.length > 0; g++) {
    const ids = frontier.filter((id) => !seen.has(id));
    ids.forEach((id) => seen.add(id));
    const rows = await db.candidate.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        label: true,
        origin: true,
        parentIds: true,
        image: true,
        round: { select: { number: true } },
        galleryItem: { select: { id: true } },
      },
      orderBy: { id: 'asc' },
    });
    for (const r of rows) {
      out.push({
        candidateId: r.id,
        generation: g,
        label: r.label,
        origin: r.origin,
        parentIds: r.parentIds,
        image: r.image,
        roundNumber: r.round.number,
        galleryItemId: r.galleryItem?.id ?? null,
      });
    }
    frontier = rows.flatMap((r) => r.parentIds);
  }
  return out;
}
