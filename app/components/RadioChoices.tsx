/**
 * One choice out of a few, as a row of buttons: a radio group as WAI-ARIA describes it (the chosen
 * button is the one Tab reaches; the arrow keys move the choice, Home and End go to the ends).
 * `look` is the row's style: a segmented control or a wrap of pills.
 */
'use client';

import { type KeyboardEvent, type ReactNode, useRef } from 'react';

const LOOKS = {
  segmented: {
    group: 'grid grid-cols-2 gap-1 rounded-lg bg-zinc-800/60 p-1',
    button: 'rounded-md px-2 py-1.5 text-xs font-medium transition',
    on: 'bg-indigo-500 text-white',
    off: 'text-zinc-300 hover:bg-zinc-700/60',
  },
  pills: {
    group: 'flex flex-wrap gap-1.5',
    button: 'rounded-full border px-2.5 py-1 text-xs transition-colors',
    on: 'border-indigo-400 bg-indigo-500/20 text-indigo-100',
    off: 'border-zinc-700 text-zinc-400 hover:border-zinc-500 hover:text-zinc-200',
  },
};

const STEP: Record<string, (i: number, n: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowDown: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  ArrowUp: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1,
};

export function RadioChoices<T extends string | number>({
  label,
  options,
  value,
  onChange,
  look,
  className = '',
}: {
  /** What is chosen, for screen readers (the group's aria-label). */
  label: string;
  options: readonly { value: T; content: ReactNode }[];
  value: T | null;
  onChange: (value: T) => void;
  look: keyof typeof LOOKS;
  className?: string;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const style = LOOKS[look];
  const chosen = options.findIndex((o) => o.value === value);
  const onKeyDown = (e: KeyboardEvent, i: number) => {
    const step = STEP[e.key];
    // Alt+Left (back) and Ctrl/Cmd+Home/End stay the browser's.
    if (!step || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const next = step(i, options.length);
    onChange(options[next]!.value);
    buttons.current[next]?.focus();
  };
  return (
    <div role="radiogroup" aria-label={label} className={`${style.group} ${className}`}>
      {options.map((o, i) => (
        <button
          key={String(o.value)}
          ref={(el) => {
            buttons.current[i] = el;
          }}
          type="button"
          role="radio"
          aria-checked={i === chosen}
          tabIndex={i === chosen || (chosen < 0 && i === 0) ? 0 : -1}
          onClick={() => onChange(o.value)}
          onKeyDown={(e) => onKeyDown(e, i)}
          className={`${style.button} ${i === chosen ? style.on : style.off}`}
        >
          {o.content}
        </button>
      ))}
    </div>
  );
}
