/**
 * The host's controls: start, pause, resume, stop, and the learning rate (from the next step on).
 * Everyone else sees who the host is instead; the server refuses their commands anyway.
 */
'use client';

import { useState } from 'react';
import type { SessionState } from '../../../lib/protocol';
import { canDo } from '../../../lib/sessions/stateMachine';
import { ErrorMessage } from '../Messages';

type HostAction = 'start' | 'pause' | 'resume' | 'stop';

interface Props {
  state: SessionState;
  isHost: boolean;
  hostNickname: string;
  currentLr: number | null;
  onControl(action: HostAction): Promise<string | null>;
  onLearningRate(lr: number): Promise<string | null>;
}

const BUTTONS: { action: HostAction; label: string; tone: string }[] = [
  { action: 'start', label: 'Start training', tone: 'bg-emerald-500 text-emerald-950 hover:bg-emerald-400' },
  { action: 'pause', label: 'Pause', tone: 'bg-sky-500 text-sky-950 hover:bg-sky-400' },
  { action: 'resume', label: 'Resume', tone: 'bg-emerald-500 text-emerald-950 hover:bg-emerald-400' },
  {
    action: 'stop',
    label: 'Stop',
    tone: 'bg-zinc-800 text-rose-300 ring-1 ring-inset ring-rose-500/40 hover:bg-rose-500/10',
  },
];

export function HostControls({ state, isHost, hostNickname, currentLr, onControl, onLearningRate }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [lr, setLr] = useState('');

  if (!isHost) {
    return (
      <p data-testid="host-note" className="text-sm text-zinc-400">
        <span className="font-medium text-amber-300">{hostNickname}</span> hosts this session and controls the training.
      </p>
    );
  }

  const run = async (fn: () => Promise<string | null>) => {
    setBusy(true);
    setError(await fn());
    setBusy(false);
  };
  const visible = BUTTONS.filter((b) => canDo(state, b.action));
  const canSetLr = state === 'training' || state === 'paused';

  return (
    <div data-testid="host-controls" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        {visible.map((b) => (
          <button
            key={b.action}
            type="button"
            data-action={b.action}
            disabled={busy}
            onClick={() => {
              // Stop is next to Pause and cannot be undone, for everyone watching: asked first.
              if (
                b.action === 'stop' &&
                !window.confirm('Stop this session for everyone watching? It cannot be resumed.')
              )
                return;
              void run(() => onControl(b.action));
            }}
            className={`rounded-lg px-4 py-2 text-sm font-semibold transition disabled:opacity-50 ${b.tone}`}
          >
            {b.label}
          </button>
        ))}
        {canSetLr && (
          <form
            className="flex items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              const value = Number(lr);
              if (!lr.trim() || !Number.isFinite(value)) return setError('Type a learning rate, e.g. 0.001.');
              void run(() => onLearningRate(value));
            }}
          >
            <label className="text-xs text-zinc-400" htmlFor="lr-input">
              learning rate
            </label>
            <input
              id="lr-input"
              inputMode="decimal"
              value={lr}
              placeholder={currentLr !== null ? currentLr.toPrecision(2) : '0.001'}
              onChange={(e) => setLr(e.target.value)}
              className="w-24 rounded-lg border border-zinc-700 bg-zinc-900 px-2 py-1.5 text-sm text-zinc-100 placeholder:text-zinc-600 focus:border-indigo-400 focus:outline-none"
            />
            <button
              type="submit"
              disabled={busy}
              className="rounded-lg bg-zinc-800 px-3 py-1.5 text-sm text-zinc-200 hover:bg-zinc-700 disabled:opacity-50"
            >
              Set
            </button>
          </form>
        )}
        {visible.length === 0 && <p className="text-sm text-zinc-400">You host this session; it has ended.</p>}
      </div>
      <ErrorMessage message={error} />
    </div>
  );
}
