/**
 * Keeping a drawing: its author confirms the model's guess or picks the right garment, and the
 * drawing is saved (the server recomputes the image and the guess from the strokes). A changed
 * drawing can be saved again.
 */
'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { CLASS_NAMES } from '../../../lib/classes';
import { RadioChoices } from '../RadioChoices';
import type { Stroke } from '../../../lib/sketch/preprocess';
import { request } from '../../realtime/socket';
import { NicknameForm, useGuest } from '../../identity';
import { Button } from './Toolbar';

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  /** `earlier`: the drawing changed while it was being saved; the changed one is not saved yet. */
  | { kind: 'saved'; id: number; earlier: boolean }
  | { kind: 'error'; message: string };

export function SavePanel({
  strokes,
  guess,
  modelVersionId = null,
}: {
  strokes: readonly Stroke[];
  guess: number | null;
  modelVersionId?: number | null;
}) {
  const [label, setLabel] = useState<number | null>(null);
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  // The server signs drawings with the connection's guest cookie; without one they are anonymous.
  const { guest, loaded } = useGuest();
  const current = useRef(strokes);
  current.current = strokes;

  // A new drawing (or a changed one) starts from the model's guess again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: strokes is the trigger: every new or changed drawing resets a saved or failed state to idle
  useEffect(() => setState((s) => (s.kind === 'saving' ? s : { kind: 'idle' })), [strokes]);
  useEffect(() => {
    if (strokes.length === 0) setLabel(null);
  }, [strokes.length]);

  const chosen = label ?? guess;
  const save = async () => {
    if (chosen === null) return;
    setState({ kind: 'saving' });
    const reply = await request('draw:save', { strokes: [...strokes], label: chosen, modelVersionId });
    const earlier = current.current !== strokes;
    setState(reply.ok ? { kind: 'saved', id: reply.data.id, earlier } : { kind: 'error', message: reply.error });
  };

  if (guess === null) {
    return (
      <section
        className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-4 text-sm text-zinc-400"
        data-testid="save-panel"
      >
        When the model has a guess, tell it what you drew and keep your drawing in the{' '}
        <Link href="/sketches" className="text-indigo-300 underline-offset-2 hover:underline">
          community sketchbook
        </Link>
        .
      </section>
    );
  }
  return (
    <section className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-4" data-testid="save-panel">
      <h2 className="text-sm font-semibold text-zinc-200">What did you draw?</h2>
      <RadioChoices
        label="Label"
        look="pills"
        className="mt-3"
        value={chosen}
        onChange={setLabel}
        options={CLASS_NAMES.map((name, c) => ({
          value: c,
          content: (
            <>
              {name}
              {c === guess && <span className="ml-1 text-zinc-500">(guess)</span>}
            </>
          ),
        }))}
      />
      <div className="mt-4 flex items-center gap-3">
        <Button
          primary
          onClick={() => void save()}
          disabled={state.kind === 'saving' || (state.kind === 'saved' && !state.earlier)}
        >
          {chosen === guess ? 'Yes, save it' : `Save as ${CLASS_NAMES[chosen!]}`}
        </Button>
        {state.kind === 'saved' && (
          <span className="text-sm text-emerald-300" role="status">
            {state.earlier ? 'Saved the drawing as it was when you pressed save' : 'Saved'}
            {guest ? ` under ${guest.nickname}` : ' anonymously'}
            {state.earlier ? '; save again to keep it as it is now. ' : '. '}
            <Link href="/sketches" className="underline underline-offset-2">
              See the sketchbook
            </Link>
          </span>
        )}
        {state.kind === 'error' && (
          <span className="text-sm text-rose-300" role="alert">
            {state.message}
          </span>
        )}
      </div>
      {loaded && (
        <p className="mt-3 text-xs text-zinc-500" data-testid="save-author">
          {guest ? (
            <>
              Saved drawings are signed <span className="text-zinc-300">{guest.nickname}</span>.
            </>
          ) : (
            <>Saved anonymously until you pick a nickname (the same one on every page).</>
          )}
        </p>
      )}
      {loaded && (
        <div className="mt-2">
          <NicknameForm why="Sign your drawings" />
        </div>
      )}
    </section>
  );
}
