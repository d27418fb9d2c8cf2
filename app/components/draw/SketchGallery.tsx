/**
 * The community sketchbook: saved drawings, newest first, filtered by garment, each with the
 * 28x28 image the model saw, what its author says it is and what the model guessed.
 */
'use client';

import { useModerationVersion } from '../../realtime/reload';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CLASS_NAMES } from '../../../lib/classes';
import type { SavedSketch } from '../../../lib/protocol';
import { getSocket, listen, request } from '../../realtime/socket';

const PAGE = 30;

export function SketchGallery() {
  const [label, setLabel] = useState<number | null>(null);
  const [sketches, setSketches] = useState<SavedSketch[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const moderation = useModerationVersion();

  // Replies can arrive out of order: only the newest request's reply is shown (a tab picked while
  // "More drawings" was loading must not get the old tab's drawings).
  const latest = useRef(0);
  const load = useCallback(async (filter: number | null, beforeId: number | null) => {
    const ticket = ++latest.current;
    setState('loading');
    const reply = await request('sketches:list', { label: filter, limit: PAGE, beforeId });
    if (ticket !== latest.current) return;
    if (!reply.ok) {
      setError(reply.error);
      setState('error');
      return;
    }
    setSketches((old) => (beforeId === null ? reply.data.sketches : [...old, ...reply.data.sketches]));
    setHasMore(reply.data.hasMore);
    setError(null);
    setState('ready');
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: moderation is a reload trigger: a moderation change reloads the first page so hidden drawings disappear
  useEffect(() => {
    const socket = getSocket();
    const onConnect = () => void load(label, null);
    const unlisten = listen({ connect: onConnect });
    if (socket.connected) onConnect();
    return unlisten;
  }, [label, load, moderation]);

  return (
    <div>
      <div className="flex flex-wrap gap-1.5" role="tablist" aria-label="Garment">
        <Tab active={label === null} onClick={() => setLabel(null)}>
          All
        </Tab>
        {CLASS_NAMES.map((name, c) => (
          <Tab key={name} active={label === c} onClick={() => setLabel(c)}>
            {name}
          </Tab>
        ))}
      </div>
      {error && (
        <p
          role="alert"
          className="mt-4 rounded-lg border border-rose-500/30 bg-rose-500/10 px-3 py-2 text-sm text-rose-200"
        >
          {error}
        </p>
      )}
      {state !== 'loading' && sketches.length === 0 && !error && (
        <p className="mt-10 text-center text-sm text-zinc-400" data-testid="gallery-empty">
          No {label === null ? '' : `${CLASS_NAMES[label]} `}drawings yet.{' '}
          <a href="/draw" className="text-indigo-300 hover:underline">
            Draw the first one
          </a>
          .
        </p>
      )}
      <ul className="mt-6 grid grid-cols-3 gap-3 sm:grid-cols-5 lg:grid-cols-6" data-testid="gallery">
        {sketches.map((s) => (
          <li key={s.id} className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-2">
            <img
              src={s.image}
              alt={`A drawing of a ${CLASS_NAMES[s.label]}`}
              className="aspect-square w-full rounded-md bg-black [image-rendering:pixelated]"
            />
            <p className="mt-2 truncate text-xs font-medium text-zinc-200">{CLASS_NAMES[s.label]}</p>
            <p className={`truncate text-[11px] ${s.guess === s.label ? 'text-emerald-400' : 'text-amber-300'}`}>
              {s.guess === s.label ? 'model: right' : `model: ${CLASS_NAMES[s.guess]}`}
            </p>
            <p className="truncate text-[11px] text-zinc-500">{s.author ?? 'anonymous'}</p>
          </li>
        ))}
      </ul>
      {hasMore && (
        <div className="mt-6 text-center">
          <button
            type="button"
            disabled={state === 'loading'}
            onClick={() => void load(label, sketches[sketches.length - 1]?.id ?? null)}
            className="rounded-lg border border-zinc-700 px-4 py-2 text-sm text-zinc-200 hover:bg-zinc-800 disabled:opacity-40"
          >
            More drawings
          </button>
        </div>
      )}
    </div>
  );
}

function Tab({ active, onClick, children }: { active: boolean; onClick: () => void; children: React.ReactNode }) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      onClick={onClick}
      className={`rounded-full border px-3 py-1 text-xs transition-colors ${
        active
          ? 'border-indigo-400 bg-indigo-500/20 text-indigo-100'
          : 'border-zinc-700 text-zinc-400 hover:border-zinc-500 hover:text-zinc-200'
      }`}
    >
      {children}
    </button>
  );
}
