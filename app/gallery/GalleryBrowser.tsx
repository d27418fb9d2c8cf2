'use client';
/** The gallery grid: filter by class, sort by votes or newest, page by page. */
import { useEffect, useState } from 'react';
import type { GalleryItemSummary } from '../../lib/protocol';
import { CLASS_NAMES } from '../../lib/classes';
import { useModerationVersion } from '../realtime/moderation';
import { request } from '../realtime/socket';

const PAGE_SIZE = 24;

export function GalleryBrowser() {
  const [label, setLabel] = useState<number | null>(null);
  const [sort, setSort] = useState<'votes' | 'newest'>('newest');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: GalleryItemSummary[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const moderation = useModerationVersion();

  useEffect(() => {
    void request('gallery:list', { label, sort, page, pageSize: PAGE_SIZE }).then((r) => (r.ok ? (setData(r.data), setError(null)) : setError(r.error)));
  }, [label, sort, page, moderation]);

  const pages = Math.max(1, Math.ceil((data?.total ?? 0) / PAGE_SIZE));
  return (
    <section className="mt-6">
      <div className="flex flex-wrap gap-3 text-sm">
        <select aria-label="class" value={label ?? ''} onChange={(e) => { setLabel(e.target.value === '' ? null : Number(e.target.value)); setPage(1); }}
          className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100">
          <option value="">All classes</option>
          {CLASS_NAMES.map((n, i) => <option key={n} value={i}>{n}</option>)}
        </select>
        <select aria-label="sort" value={sort} onChange={(e) => { setSort(e.target.value as 'votes' | 'newest'); setPage(1); }}
          className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100">
          <option value="newest">Newest</option>
          <option value="votes">Most votes</option>
        </select>
        <span className="text-zinc-500">{data?.total ?? 0} items</span>
      </div>
      {error && <p role="alert" className="mt-3 text-sm text-rose-400">{error}</p>}
      <ul className="mt-4 grid grid-cols-3 gap-3 sm:grid-cols-4 md:grid-cols-6">
        {data?.items.map((i) => (
          <li key={i.id} className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-2 text-center">
            <a href={`/gallery/${i.id}`}>
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={i.image} alt={CLASS_NAMES[i.label]} width={84} height={84} className="mx-auto [image-rendering:pixelated]" />
              <p className="mt-1 text-xs text-zinc-300">{CLASS_NAMES[i.label]}</p>
              <p className="text-xs text-zinc-500">{i.score >= 0 ? '+' : ''}{i.score} · {i.author ?? 'unknown'}</p>
            </a>
          </li>
        ))}
      </ul>
      <div className="mt-4 flex items-center gap-3 text-sm text-zinc-300">
        <button disabled={page <= 1} onClick={() => setPage(page - 1)} className="rounded border border-zinc-700 px-2 py-1 disabled:opacity-40">← Newer</button>
        <span>Page {page} of {pages}</span>
        <button disabled={page >= pages} onClick={() => setPage(page + 1)} className="rounded border border-zinc-700 px-2 py-1 disabled:opacity-40">Older →</button>
      </div>
    </section>
  );
}
