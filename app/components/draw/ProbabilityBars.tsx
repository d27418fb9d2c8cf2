/** The ten classes with the model's probability for each as a bar; the top guess stands out. */
'use client';

import { CLASS_NAMES } from '../../../lib/classes';

export function ProbabilityBars({
  probabilities,
  dimmed = false,
}: {
  probabilities: readonly number[] | null;
  dimmed?: boolean;
}) {
  const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  return (
    <ol
      className={`space-y-1.5 transition-opacity ${dimmed ? 'opacity-60' : ''}`}
      data-testid="probability-bars"
      data-filled={probabilities ? 'yes' : 'no'}
    >
      {CLASS_NAMES.map((name, c) => {
        const p = probabilities?.[c] ?? 0;
        const isTop = c === top;
        return (
          <li
            key={name}
            className="grid grid-cols-[6.5rem_1fr_3rem] items-center gap-2 text-sm"
            data-class={c}
            data-probability={p.toFixed(4)}
          >
            <span className={`truncate ${isTop ? 'font-semibold text-zinc-50' : 'text-zinc-400'}`}>{name}</span>
            <span className="h-2.5 overflow-hidden rounded-full bg-zinc-800">
              <span
                className={`block h-full rounded-full transition-[width] duration-200 ${isTop ? 'bg-indigo-400' : 'bg-zinc-500'}`}
                style={{ width: `${(p * 100).toFixed(1)}%` }}
              />
            </span>
            <span className={`text-right tabular-nums ${isTop ? 'text-zinc-100' : 'text-zinc-500'}`}>
              {probabilities ? `${Math.round(p * 100)}%` : '–'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
