/** A drawing room's side panel: who is in it, the model's live guess, and the guesses in order with who was right first. */
'use client';

import { CLASS_NAMES } from '../../../lib/classes';
import type { Recognition, RoomState } from '../../../lib/protocol';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** `hidden`: a watcher during a round, who sees the model's guess only when the round ends. */
export function RoomSidebar({
  room,
  me,
  recognition,
  hidden = false,
}: {
  room: RoomState;
  me: string;
  recognition: Recognition | null;
  hidden?: boolean;
}) {
  const modelTop = recognition ? recognition.guess : null;
  return (
    <aside className="space-y-5" aria-label="Room">
      {room.firstCorrect && (
        <p
          className="rounded-xl border border-emerald-500/30 bg-emerald-500/10 px-4 py-3 text-sm text-emerald-100"
          data-testid="first-correct"
        >
          {room.firstCorrect.playerId === null
            ? 'The model was'
            : room.firstCorrect.playerId === me
              ? 'You were'
              : `${room.firstCorrect.name} was`}{' '}
          right first, after {seconds(room.firstCorrect.atMs)}.
        </p>
      )}
      <section>
        <h2 className="text-xs font-semibold uppercase tracking-wider text-zinc-400">The model thinks</h2>
        <p className="mt-1 text-lg font-semibold text-zinc-100" data-testid="room-model-guess">
          {hidden
            ? 'hidden until the round ends'
            : modelTop === null
              ? '…'
              : `${CLASS_NAMES[modelTop]} (${Math.round(recognition!.probabilities[modelTop]! * 100)}%)`}
        </p>
      </section>
      <section>
        <h2 className="text-xs font-semibold uppercase tracking-wider text-zinc-400">Guesses</h2>
        {room.guesses.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-500">None yet.</p>
        ) : (
          <ol className="mt-2 space-y-1 text-sm" data-testid="guesses">
            {room.guesses.map((g, i) => (
              <li key={i} className="flex items-baseline justify-between gap-2">
                <span className={g.correct ? 'text-emerald-300' : 'text-zinc-400'}>
                  {g.correct ? '✓' : '✗'} {g.playerId === null ? 'the model' : g.name}: {CLASS_NAMES[g.label]}
                </span>
                <span className="tabular-nums text-xs text-zinc-500">{seconds(g.atMs)}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      <section>
        <h2 className="text-xs font-semibold uppercase tracking-wider text-zinc-400">
          In the room ({room.players.length})
        </h2>
        <ul className="mt-2 space-y-1 text-sm" data-testid="players">
          {room.players.map((p) => (
            <li key={p.id} className="text-zinc-300">
              {p.nickname}
              {p.id === me && <span className="text-zinc-500"> (you)</span>}
              {p.id === room.drawerId && room.status === 'drawing' && (
                <span className="ml-1 text-indigo-300">✎ drawing</span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}
