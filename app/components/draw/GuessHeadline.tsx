/** The model's top guess in words, or an invitation to draw while the canvas is empty. */
'use client';

import { CLASS_NAMES } from '../../../lib/classes';
import type { Recognition } from '../../../lib/protocol';

export function GuessHeadline({
  empty,
  result,
  compact = false,
}: {
  empty: boolean;
  result: Recognition | null;
  compact?: boolean;
}) {
  let text: React.ReactNode;
  if (empty) text = <span className="text-zinc-400">Draw something: a T-shirt, a sandal, a bag…</span>;
  else if (!result) text = <span className="text-zinc-400">Looking…</span>;
  else {
    const p = result.probabilities[result.guess]!;
    const name = CLASS_NAMES[result.guess];
    text =
      p >= 0.6 ? (
        <>
          It&apos;s a <strong className="text-indigo-300">{name}</strong>!
        </>
      ) : p >= 0.35 ? (
        <>
          Maybe a <strong className="text-indigo-300">{name}</strong>?
        </>
      ) : (
        <>
          Not sure yet… a <strong className="text-indigo-300">{name}</strong>?
        </>
      );
  }
  return (
    <p
      className={`font-semibold tracking-tight text-zinc-100 ${compact ? 'text-lg' : 'min-h-[2.5rem] text-2xl'}`}
      data-testid={compact ? 'top-guess-compact' : 'top-guess'}
      // Only one of the two is displayed at a time (the compact one on narrow screens): both announce.
      aria-live="polite"
    >
      {text}
    </p>
  );
}
