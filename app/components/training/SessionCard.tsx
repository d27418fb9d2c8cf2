/** One session in the lobby: name, kind, state, progress, headline figure, host and viewers. */
import Link from 'next/link';
import type { SessionSummary } from '../../../lib/protocol';
import { formatHeadline, KIND_SHORT } from './format';
import { ProgressBar } from './ProgressBar';
import { StateBadge } from './StateBadge';

export function SessionCard({ session: s }: { session: SessionSummary }) {
  return (
    <li data-testid="session-card" data-session-id={s.id} data-state={s.state}>
      <Link
        href={`/sessions/${s.id}`}
        className="block rounded-xl border border-zinc-800 bg-zinc-900/40 p-4 transition hover:border-indigo-500/50 hover:bg-zinc-900"
      >
        <div className="flex items-start justify-between gap-3">
          <div className="min-w-0">
            <h3 className="truncate font-semibold text-zinc-100">{s.name}</h3>
            <p className="mt-0.5 text-xs text-zinc-400">
              <span className="rounded bg-zinc-800 px-1.5 py-0.5 font-medium text-zinc-300">{KIND_SHORT[s.kind]}</span>{' '}
              · hosted by {s.hostNickname}
            </p>
          </div>
          <StateBadge state={s.state} queuePosition={s.queuePosition} />
        </div>
        <div className="mt-3">
          <ProgressBar
            compact
            progress={s.progress}
            etaSeconds={s.etaSeconds}
            state={s.state}
            epochsDone={s.epochsDone}
            epochs={s.epochs}
          />
        </div>
        <div className="mt-2 flex items-center justify-between gap-3 text-xs text-zinc-400">
          <span className="truncate">
            {s.headline ? (
              <>
                {s.headline.name}{' '}
                <span className="font-semibold text-zinc-200">
                  {formatHeadline(s.headline.name, s.headline.value, s.headline.unit)}
                </span>
              </>
            ) : s.message ? (
              <span className={s.state === 'failed' ? 'text-rose-300' : ''}>{s.message}</span>
            ) : (
              'no epoch yet'
            )}
          </span>
          <span className="shrink-0" data-testid="card-viewers">
            {s.viewers} watching
          </span>
        </div>
      </Link>
    </li>
  );
}
