/**
 * Picks the epoch whose evaluation the page shows: follows the newest while it is live, and lets a
 * viewer scrub back through every recorded epoch (also of a finished session).
 */
'use client';

interface Props {
  count: number;
  /** null: follow the newest epoch. */
  selected: number | null;
  onSelect(epoch: number | null): void;
  describe(epoch: number): string;
}

export function EpochScrubber({ count, selected, onSelect, describe }: Props) {
  if (count === 0) return null;
  const shown = selected ?? count - 1;
  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
      <label htmlFor="epoch-scrubber" className="shrink-0 text-sm text-zinc-300">
        Epoch{' '}
        <span data-testid="scrubbed-epoch" className="font-semibold tabular-nums text-zinc-100">
          {shown + 1}
        </span>
        <span className="text-zinc-500"> / {count}</span>
      </label>
      <input
        id="epoch-scrubber"
        type="range"
        min={0}
        max={count - 1}
        step={1}
        value={shown}
        disabled={count < 2}
        onChange={(e) => {
          const v = Number(e.target.value);
          onSelect(v === count - 1 ? null : v);
        }}
        className="w-full accent-indigo-400 sm:flex-1"
      />
      <span className="shrink-0 text-sm tabular-nums text-zinc-400">
        {describe(shown)}
        {selected === null && count > 0 && <span className="ml-2 text-xs text-emerald-400">latest</span>}
      </span>
    </div>
  );
}
