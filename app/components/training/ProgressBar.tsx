/** How far a run is, with epochs and the estimated time left. */
import type { SessionState } from '../../../lib/protocol';
import { formatDuration } from './format';

interface Props {
  progress: number;
  etaSeconds: number | null;
  state: SessionState;
  epochsDone: number;
  epochs: number;
  /** Extra text on the right, e.g. images per second. */
  detail?: string;
  compact?: boolean;
}

const BAR_TONE: Partial<Record<SessionState, string>> = {
  training: 'bg-emerald-400',
  paused: 'bg-sky-400',
  finished: 'bg-indigo-400',
  failed: 'bg-rose-400',
};

export function ProgressBar({ progress, etaSeconds, state, epochsDone, epochs, detail, compact }: Props) {
  const pct = Math.max(0, Math.min(1, progress)) * 100;
  const live = state === 'training' || state === 'paused';
  const eta =
    live && etaSeconds !== null
      ? `about ${formatDuration(etaSeconds)} left`
      : state === 'training'
        ? 'estimating time left…'
        : '';
  return (
    <div data-testid="progress" data-progress={progress.toFixed(4)}>
      <div
        className={`overflow-hidden rounded-full bg-zinc-800 ${compact ? 'h-1.5' : 'h-2.5'}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
      >
        <div
          className={`h-full rounded-full transition-[width] duration-500 ${BAR_TONE[state] ?? 'bg-zinc-500'}`}
          style={{ width: `${pct}%` }}
        />
      </div>
      <div
        className={`mt-1.5 flex flex-wrap justify-between gap-x-3 text-zinc-400 ${compact ? 'text-[11px]' : 'text-xs'}`}
      >
        <span>
          Epoch {Math.min(epochsDone + (live ? 1 : 0), epochs)} of {epochs} · {pct.toFixed(0)} %
        </span>
        <span data-testid="eta">{[detail, eta].filter(Boolean).join(' · ')}</span>
      </div>
    </div>
  );
}
