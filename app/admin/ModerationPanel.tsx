'use client';
/** The moderation form: the operator token (kept for this tab only), what to hide, and what is hidden. */
import { useState } from 'react';
import { HIDEABLE_KINDS, type HiddenEntry, type HideableKind } from '../../lib/protocol';
import { request } from '../realtime/socket';

const KIND_LABEL: Record<HideableKind, string> = {
  galleryItem: 'Gallery item (id)',
  drawing: 'Drawing (id)',
  collection: 'Collection (id)',
  nickname: 'Nickname (text)',
};

export function ModerationPanel() {
  const [token, setToken] = useState('');
  const [kind, setKind] = useState<HideableKind>('galleryItem');
  const [id, setId] = useState('');
  const [hidden, setHidden] = useState<HiddenEntry[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const answer = (r: { ok: true; data: { hidden: HiddenEntry[] } } | { ok: false; error: string }, done?: string) => {
    if (r.ok) {
      setHidden(r.data.hidden);
      setMessage(done ?? null);
    } else setMessage(r.error);
  };
  const list = async () => answer(await request('admin:hidden', { token }));
  const change = async (target: { kind: HideableKind; id: string }, hide: boolean) =>
    answer(
      await request('admin:hide', { token, target, hidden: hide }),
      `${hide ? 'Hidden' : 'Shown again'}: ${target.kind} ${target.id}.`,
    );

  const field = 'rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-sm text-zinc-100';
  return (
    <section className="mt-6 space-y-4">
      <div className="text-sm text-zinc-300">
        <label>
          Operator token
          <input
            data-testid="admin-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            className={`${field} ml-2 w-72`}
          />
        </label>
        <button
          onClick={() => void list()}
          className="ml-2 rounded border border-zinc-700 px-2 py-1 text-sm text-zinc-200"
        >
          Show hidden
        </button>
      </div>
      <form
        className="flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void change({ kind, id }, true);
        }}
      >
        <select
          aria-label="kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as HideableKind)}
          className={field}
        >
          {HIDEABLE_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
        <input
          data-testid="admin-id"
          aria-label="id"
          value={id}
          onChange={(e) => setId(e.target.value)}
          className={`${field} w-56`}
        />
        <button
          type="submit"
          className="rounded bg-rose-600 px-3 py-1 text-sm font-medium text-white hover:bg-rose-500"
        >
          Hide
        </button>
      </form>
      {message && (
        <p role="status" className="text-sm text-zinc-300">
          {message}
        </p>
      )}
      {hidden && (
        <ul data-testid="admin-hidden" className="divide-y divide-zinc-800 rounded border border-zinc-800 text-sm">
          {hidden.length === 0 && <li className="p-2 text-zinc-500">Nothing is hidden.</li>}
          {hidden.map((h) => (
            <li key={`${h.kind}:${h.id}`} className="flex items-center justify-between p-2 text-zinc-300">
              <span>
                {KIND_LABEL[h.kind].split(' (')[0]} <code>{h.id}</code>{' '}
                <span className="text-zinc-500">since {new Date(h.hiddenAt).toLocaleString()}</span>
              </span>
              <button
                onClick={() => void change({ kind: h.kind, id: h.id }, false)}
                className="rounded border border-zinc-700 px-2 py-0.5"
              >
                Show again
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
