/**
 * Gallery items, lineages and collections as people see them once an operator has hidden some
 * (server/moderation.ts): hidden items left out wherever they would appear (a collection, its
 * preview and count, an item's lineage, a write's reply), hidden collections answered as missing to
 * anyone but their owner, hidden nicknames shown as "(hidden)". One place for the socket events
 * (handlers.ts) and the HTTP routes (collectionRoutes.ts), so both answer alike.
 */
import { UserFacingError } from '../../errors';
import type { Moderation } from '../../moderation';
import type { CollectionView, GalleryItemSummary, RequestData } from '../../../lib/protocol';

/** Something missing, or hidden and so answered as missing (HTTP: 404). */
export class MissingError extends UserFacingError {}

const noSuchItem = (id: number) => new MissingError(`There is no gallery item ${id}; pick one from the gallery.`);
const noSuchCollection = (id: string) => new MissingError(`There is no collection ${id}; check the link.`);

export class ShownContent {
  constructor(private readonly moderation: Moderation) {}

  /** Loads what is hidden (once); call before the other methods answer a request. */
  ready(): Promise<void> {
    return this.moderation.ready();
  }

  isHiddenItem(id: number): boolean {
    return this.moderation.isHidden('galleryItem', id);
  }

  /** The gallery item ids an operator hid. */
  hiddenItems(): number[] {
    return this.moderation
      .list()
      .filter((e) => e.kind === 'galleryItem')
      .map((e) => Number(e.id));
  }

  /** Refuses a hidden gallery item as if it did not exist. */
  async assertItemShown(id: number): Promise<void> {
    await this.ready();
    if (this.isHiddenItem(id)) throw noSuchItem(id);
  }

  item<T extends GalleryItemSummary>(i: T): T {
    return { ...i, author: this.moderation.nickname(i.author) };
  }

  /** An item's page: its author as shown, and its lineage without the hidden ancestors that won. */
  detail(d: RequestData<'gallery:item'>): RequestData<'gallery:item'> {
    return {
      ...d,
      item: this.item(d.item),
      lineage: d.lineage.filter((a) => a.galleryItemId === null || !this.isHiddenItem(a.galleryItemId)),
    };
  }

  /** A collection as its viewer sees it; a hidden one is missing to anyone but its owner. */
  collection(c: CollectionView): CollectionView {
    if (!c.yours && this.moderation.isHidden('collection', c.id)) throw noSuchCollection(c.id);
    return {
      ...c,
      owner: this.moderation.nickname(c.owner),
      items: c.items.filter((i) => !this.isHiddenItem(i.galleryItemId)),
    };
  }

  /** A list of collections: hidden ones left out (but the viewer's own), owners as shown. */
  collections(list: RequestData<'collections:list'>): RequestData<'collections:list'> {
    return {
      next: list.next,
      collections: list.collections
        .filter((c) => c.yours || !this.moderation.isHidden('collection', c.id))
        .map((c) => ({ ...c, owner: this.moderation.nickname(c.owner) })),
    };
  }
}
