'use client';
/**
 * The gallery grid: filter by class, sort by votes or newest, page by page; with a nickname, add
 * any item to one of your collections from the grid.
 */
import { useEffect, useState } from 'react';
import type { GalleryItemSummary, RequestData } from '../../lib/protocol';
import { CLASS_NAMES } from '../../lib/classes';
import { ClassSelect } from '../components/ClassSelect';
import { GarmentImage } from '../components/GarmentImage';
import { ErrorMessage } from '../components/Messages';
import { useGuest } from '../identity';
import { useReloadKey } from '../realtime/reload';
import { request } from '../realtime/socket';

type MyCollection = RequestData<'collections:list'>['collections'][number];

const PAGE_SIZE = 24;

export function GalleryBrowser() {
  const [label, setLabel] = useState<number | null>(null);
  const [sort, setSort] = useState<'votes' | 'newest'>('newest');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: GalleryItemSummary[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { guest } = useGuest();
  const [collections, setCollections] = useState<MyCollection[]>([]);
  const [target, setTarget] = useState<string>('');
  const [note, setNote] = useState<{ itemId: number; text: string } | null>(null);
  const [collectionsError, setCollectionsError] = useState<string | null>(null);
  const [adding, setAdding] = useState<number | null>(null);
  // A moderation change reloads the current page so hidden items disappear; a connection back
  // after a drop retries what failed meanwhile.
  const reload = useReloadKey();

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a trigger (a load that failed while the connection was down is retried)
  useEffect(() => {
    if (!guest) return setCollections([]);
    void request('collections:list', { scope: 'mine' }).then((r) => {
      setCollectionsError(r.ok ? null : `Your collections could not be loaded (${r.error}); reload to add items.`);
      if (!r.ok) return;
      setCollections(r.data.collections);
      setTarget((t) => t || (r.data.collections[0]?.id ?? ''));
    });
  }, [guest, reload]);

  const add = async (itemId: number) => {
    const c = collections.find((x) => x.id === target);
    if (!c || adding !== null) return;
    setAdding(itemId);
    const r = await request('collection:add', { id: c.id, galleryItemId: itemId });
    setAdding(null);
    setNote({ itemId, text: r.ok ? `Added to ${c.title}.` : r.error });
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a trigger: a moderation change reloads the current gallery page so hidden items disappear
  useEffect(() => {
    // Replies can arrive out of order: one for a filter or page no longer shown is dropped.
    let current = true;
    void request('gallery:list', { label, sort, page, pageSize: PAGE_SIZE }).then((r) => {
      if (!current) return;
      if (r.ok) {
        setData(r.data);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      current = false;
    };
  }, [label, sort, page, reload]);

  const pages = Math.max(1, Math.ceil((data?.total ?? 0) / PAGE_SIZE));
  return (
    <section className="mt-6">
      <div className="flex flex-wrap gap-3 text-sm">
        <ClassSelect
          value={label}
          onChange={(l) => {
            setLabel(l);
            setPage(1);
          }}
        />
        <select
          aria-label="sort"
          value={sort}
          onChange={(e) => {
            setSort(e.target.value as 'votes' | 'newest');
            setPage(1);
          }}
          className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
        >
          <option value="newest">Newest</option>
          <option value="votes">Most votes</option>
        </select>
        <span className="text-zinc-500">{data?.total ?? 0} items</span>
        {collections.length > 0 && (
          <label className="flex items-center gap-2 text-zinc-400">
            Add to
            <select
              aria-label="collection to add to"
              data-testid="add-target"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
            >
              {collections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </label>
        )}
        {guest && collections.length === 0 && (
          <a href="/collections" className="text-indigo-300 underline">
            Make a collection to add items to
          </a>
        )}
      </div>
      <ErrorMessage message={error} className="mt-3 text-sm text-rose-400" />
      <ErrorMessage message={collectionsError} className="mt-3 text-sm text-rose-400" />
      <ul className="mt-4 grid grid-cols-3 gap-3 sm:grid-cols-4 md:grid-cols-6">
        {data?.items.map((i) => (
          <li
            key={i.id}
            data-testid={`gallery-item-${i.id}`}
            className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-2 text-center"
          >
            <a href={`/gallery/${i.id}`}>
              <GarmentImage src={i.image} alt={CLASS_NAMES[i.label]} size={84} className="mx-auto" />
              <p className="mt-1 text-xs text-zinc-300">{CLASS_NAMES[i.label]}</p>
              <p className="text-xs text-zinc-500">
                {i.score >= 0 ? '+' : ''}
                {i.score} · {i.author ?? 'unknown'}
              </p>
            </a>
            {collections.length > 0 && (
              <button
                type="button"
                disabled={adding !== null}
                onClick={() => void add(i.id)}
                className="mt-1 rounded border border-zinc-700 px-2 py-0.5 text-xs text-zinc-200 hover:border-indigo-400"
              >
                + collection
              </button>
            )}
            {note?.itemId === i.id && (
              <p role="status" className="mt-1 text-[11px] text-zinc-400">
                {note.text}
              </p>
            )}
          </li>
        ))}
      </ul>
      <div className="mt-4 flex items-center gap-3 text-sm text-zinc-300">
        <button
          disabled={page <= 1}
          onClick={() => setPage(page - 1)}
          className="rounded border border-zinc-700 px-2 py-1 disabled:opacity-40"
        >
          ← Newer
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button
          disabled={page >= pages}
          onClick={() => setPage(page + 1)}
          className="rounded border border-zinc-700 px-2 py-1 disabled:opacity-40"
        >
          Older →
        </button>
      </div>
    </section>
  );
}
