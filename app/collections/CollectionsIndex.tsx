'use client';
/** Lists of collections (yours, public) and the form that creates one. */
import { useReloadKey } from '../realtime/reload';
import { useEffect, useState } from 'react';
import type { RequestData } from '../../lib/protocol';
import { request } from '../realtime/socket';
import { GarmentImage } from '../components/GarmentImage';
import { NicknameForm, useGuest } from '../identity';
import { CollectionTitleInput } from './CollectionTitleInput';

type Listed = RequestData<'collections:list'>['collections'];
/** A list as shown so far, and where the server's next page starts (null: no more). */
type Page = { items: Listed; next: RequestData<'collections:list'>['next'] };
const EMPTY: Page = { items: [], next: null };

function MoreButton({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="mt-3 rounded border border-zinc-700 px-3 py-1 text-sm text-zinc-200"
    >
      Show more
    </button>
  );
}

function CollectionList({ items, empty }: { items: Listed; empty: string }) {
  if (items.length === 0) return <p className="text-sm text-zinc-500">{empty}</p>;
  return (
    <ul className="grid gap-3 sm:grid-cols-2">
      {items.map((c) => (
        <li key={c.id} className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-3">
          <a href={`/collections/${c.id}`} className="font-semibold text-zinc-100 underline">
            {c.title}
          </a>
          <p className="text-xs text-zinc-500">
            {c.count} items · by {c.owner} · {c.public ? 'public' : 'private'}
          </p>
          <div className="mt-2 flex gap-1">
            {c.preview.map((src, i) => (
              <GarmentImage key={i} src={src} alt="" size={42} />
            ))}
          </div>
        </li>
      ))}
    </ul>
  );
}

export function CollectionsIndex() {
  const { guest } = useGuest();
  const [mine, setMine] = useState<Page>(EMPTY);
  const [everyone, setEveryone] = useState<Page>(EMPTY);
  const [title, setTitle] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  /** Why a list could not be loaded (shown instead of an empty list that would look like "none"). */
  const [listError, setListError] = useState<string | null>(null);

  const load = () => {
    const loadInto = (scope: 'public' | 'mine', set: (p: Page) => void) =>
      request('collections:list', { scope }).then((r) => {
        if (r.ok) set({ items: r.data.collections, next: r.data.next });
        return r.ok ? null : r.error;
      });
    void Promise.all([loadInto('public', setEveryone), loadInto('mine', setMine)]).then(([a, b]) =>
      setListError(a ?? b),
    );
  };
  /** The next page of a list, after its last collection shown. */
  const more = (scope: 'public' | 'mine', page: Page, set: (p: Page) => void) => {
    if (!page.next) return;
    void request('collections:list', { scope, after: page.next }).then((r) => {
      if (!r.ok) return setListError(r.error);
      const seen = new Set(page.items.map((c) => c.id));
      set({ items: [...page.items, ...r.data.collections.filter((c) => !seen.has(c.id))], next: r.data.next });
    });
  };
  const reload = useReloadKey();
  // biome-ignore lint/correctness/useExhaustiveDependencies: guest and reload are triggers (a new nickname changes whose collections 'mine' lists; a moderation change hides or shows some; a connection back retries a failed load); load itself only calls request and state setters
  useEffect(load, [guest, reload]);

  return (
    <div className="mt-4 space-y-8">
      <NicknameForm why="Pick a nickname to make collections" />
      {guest && (
        <form
          className="flex flex-wrap items-center gap-2 text-sm"
          onSubmit={async (e) => {
            e.preventDefault();
            if (creating) return; // a double click or a second Enter makes one collection, not two
            setCreating(true);
            const r = await request('collection:create', { title, public: isPublic });
            setCreating(false);
            if (!r.ok) return setError(r.error);
            setError(null);
            setTitle('');
            load();
          }}
        >
          <CollectionTitleInput value={title} onChange={setTitle} placeholder="New collection title" />
          <label className="text-zinc-400">
            <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.target.checked)} /> public
          </label>
          <button
            disabled={creating}
            className="rounded bg-indigo-500 px-3 py-1 font-semibold text-white disabled:opacity-60"
          >
            {creating ? 'Creating…' : 'Create'}
          </button>
          {error && (
            <span role="alert" className="text-rose-400">
              {error}
            </span>
          )}
        </form>
      )}
      {listError && (
        <p role="alert" className="text-sm text-rose-400" data-testid="collections-error">
          The collections could not be loaded: {listError}
        </p>
      )}
      <section>
        <h2 className="mb-2 text-lg font-semibold text-zinc-100">Yours</h2>
        <CollectionList items={mine.items} empty={guest ? 'None yet.' : 'Pick a nickname to make collections.'} />
        {mine.next && <MoreButton onClick={() => more('mine', mine, setMine)} />}
      </section>
      <section>
        <h2 className="mb-2 text-lg font-semibold text-zinc-100">Public</h2>
        <CollectionList items={everyone.items} empty="No public collections yet." />
        {everyone.next && <MoreButton onClick={() => more('public', everyone, setEveryone)} />}
      </section>
    </div>
  );
}
