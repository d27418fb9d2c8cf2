'use client';
/** A collection: everyone sees it (when public); the owner renames, publishes, reorders and removes. */
import { useEffect, useRef, useState } from 'react';
import type { CollectionView } from '../../../lib/protocol';
import { CLASS_NAMES } from '../../../lib/classes';
import { request } from '../../realtime/socket';
import { useReloadKey } from '../../realtime/reload';
import { CopyLink } from '../../components/CopyLink';
import { GarmentImage } from '../../components/GarmentImage';
import { CollectionTitleInput } from '../CollectionTitleInput';

export function CollectionEditor({ id }: { id: string }) {
  const [c, setC] = useState<CollectionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  // One change at a time: a second built from the order shown before the first's reply would undo it.
  const [busy, setBusy] = useState(false);

  // Loaded again when the connection comes back after a drop (a load that failed meanwhile is
  // retried); the title field takes the stored title only on the first load, so a title being
  // typed is not lost.
  const reload = useReloadKey();
  const titleShown = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a trigger
  useEffect(() => {
    void request('collection:get', { id }).then((r) => {
      if (!r.ok) return setError(r.error);
      setC(r.data);
      setError(null);
      if (!titleShown.current) setTitle(r.data.title);
      titleShown.current = true;
    });
  }, [id, reload]);
  const apply = (r: Awaited<ReturnType<typeof request<'collection:update'>>>) =>
    r.ok ? (setC(r.data), setError(null)) : setError(r.error);
  const change = (sent: () => ReturnType<typeof request<'collection:update'>>) => {
    if (busy) return;
    setBusy(true);
    void sent()
      .then(apply)
      .finally(() => setBusy(false));
  };

  if (!c)
    return (
      <p role={error ? 'alert' : undefined} className="mt-6 text-zinc-400">
        {error ?? 'Loading…'}
      </p>
    );
  const move = (index: number, by: number) => {
    const ids = c.items.map((i) => i.galleryItemId);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    change(() => request('collection:reorder', { id, galleryItemIds: ids }));
  };
  const nameOf = (i: CollectionView['items'][number]) => `${CLASS_NAMES[i.label]} #${i.galleryItemId}`;
  return (
    <article className="mt-4">
      <h1 className="text-2xl font-semibold text-zinc-50">{c.title}</h1>
      <p className="text-sm text-zinc-500" data-testid="collection-visibility">
        by {c.owner} ·{' '}
        {c.public
          ? 'public: anyone with the link can open it'
          : 'private: only you can see it; make it public to share it'}
      </p>
      {c.public && typeof window !== 'undefined' && (
        <div className="mt-2 max-w-xl" data-testid="collection-share">
          <CopyLink url={window.location.href} testId="collection-link" />
        </div>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-rose-400">
          {error}
        </p>
      )}
      {c.yours && (
        <form
          className="mt-4 flex flex-wrap items-center gap-2 text-sm"
          onSubmit={(e) => {
            e.preventDefault();
            change(() => request('collection:update', { id, title }));
          }}
        >
          <CollectionTitleInput value={title} onChange={setTitle} />
          <button disabled={busy} className="rounded bg-indigo-500 px-3 py-1 font-semibold text-white">
            Rename
          </button>
          <button
            type="button"
            disabled={busy}
            className="rounded border border-zinc-700 px-3 py-1 text-zinc-200"
            onClick={() => change(() => request('collection:update', { id, public: !c.public }))}
          >
            Make {c.public ? 'private' : 'public'}
          </button>
          <button
            type="button"
            disabled={busy}
            className="rounded border border-rose-700 px-3 py-1 text-rose-300"
            onClick={async () => {
              const items = c.items.length === 1 ? '1 item' : `${c.items.length} items`;
              if (!window.confirm(`Delete "${c.title}" and its ${items}? This cannot be undone.`)) return;
              const r = await request('collection:delete', { id });
              if (r.ok) window.location.href = '/collections';
              else setError(r.error);
            }}
          >
            Delete
          </button>
        </form>
      )}
      <ol className="mt-6 grid grid-cols-2 gap-3 sm:grid-cols-4">
        {c.items.map((i, index) => (
          <li
            key={i.galleryItemId}
            className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-2 text-center text-xs text-zinc-400"
          >
            <a href={`/gallery/${i.galleryItemId}`}>
              <GarmentImage src={i.image} alt={CLASS_NAMES[i.label]} size={84} className="mx-auto" />
              {CLASS_NAMES[i.label]} ({i.score >= 0 ? '+' : ''}
              {i.score})
            </a>
            {c.yours && (
              <div className="mt-1 flex justify-center gap-1">
                <button
                  disabled={busy || index === 0}
                  onClick={() => move(index, -1)}
                  aria-label={`move ${nameOf(i)} earlier`}
                >
                  ←
                </button>
                <button
                  disabled={busy || index === c.items.length - 1}
                  onClick={() => move(index, 1)}
                  aria-label={`move ${nameOf(i)} later`}
                >
                  →
                </button>
                <button
                  disabled={busy}
                  onClick={() => change(() => request('collection:remove', { id, galleryItemId: i.galleryItemId }))}
                  aria-label={`remove ${nameOf(i)}`}
                >
                  ✕
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      {c.items.length === 0 && (
        <p className="mt-4 text-sm text-zinc-500">
          Empty: add items from their{' '}
          <a className="underline" href="/gallery">
            gallery
          </a>{' '}
          pages.
        </p>
      )}
    </article>
  );
}
