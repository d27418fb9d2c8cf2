'use client';
/** The list of model versions (models:list), each linking to its page. */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { ModelVersionSummary } from '../../lib/protocol';
import { useReloadKey } from '../realtime/reload';
import { request } from '../realtime/socket';
import { headlineOf } from './headline';
import { NotLoaded } from '../components/Messages';

export function ModelsIndex() {
  const [versions, setVersions] = useState<ModelVersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Reloaded when a moderator hides a nickname (a session's host) or shows it again, and when the
  // connection comes back after a request failed for want of it.
  const reload = useReloadKey();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is the trigger (hidden hosts disappear, shown ones come back, a failed load is retried)
  useEffect(() => {
    void request('models:list', { kind: null }).then((r) => {
      if (!r.ok) return setError(r.error);
      setVersions(r.data.versions);
      setError(null);
    });
  }, [reload]);
  if (error || !versions) return <NotLoaded error={error} />;
  if (versions.length === 0)
    return (
      <p className="mt-6 text-zinc-400">
        No model versions yet: finish a training session or run <code>npm run eval:cnn -- --save</code>.
      </p>
    );
  return (
    <ul className="mt-6 divide-y divide-zinc-800 rounded-xl border border-zinc-800" data-testid="model-list">
      {versions.map((v) => (
        <li key={v.id} className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-3">
          <div className="min-w-0">
            <Link href={`/models/${v.id}`} className="font-semibold text-zinc-100 hover:underline">
              #{v.id} {v.kind.toUpperCase()} · {v.session ? `session “${v.session.name}”` : v.name}
            </Link>
            <p className="text-xs text-zinc-500">
              {v.session ? `trained by ${v.session.hostNickname}` : v.path} · {new Date(v.createdAt).toLocaleString()} ·{' '}
              {v.params.toLocaleString('en')} parameters · {v.assessments} assessment{v.assessments === 1 ? '' : 's'}
            </p>
          </div>
          <div className="flex items-center gap-2 text-xs">
            {headlineOf(v.metrics) && <span className="tabular-nums text-zinc-300">{headlineOf(v.metrics)}</span>}
            {v.served && <span className="rounded-full bg-emerald-500/15 px-2 py-0.5 text-emerald-300">served</span>}
            {!v.available && (
              <span className="rounded-full bg-zinc-700/40 px-2 py-0.5 text-zinc-400">
                {v.replacedBy === null ? 'files gone' : `replaced by #${v.replacedBy}`}
              </span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
