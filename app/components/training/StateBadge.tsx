/** A session's state as a small coloured badge (a pulsing dot while training). */
import type { SessionState } from '../../../lib/protocol';
import { STATE_LABEL, STATE_TONE } from './format';

export function StateBadge({ state, queuePosition }: { state: SessionState; queuePosition?: number | null }) {
  return (
    <span
      data-testid="session-state"
      data-state={state}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STATE_TONE[state]}`}
    >
      {state === 'training' && <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-emerald-400" />}
      {STATE_LABEL[state]}
      {state === 'queued' && queuePosition ? ` · #${queuePosition}` : ''}
    </span>
  );
}
