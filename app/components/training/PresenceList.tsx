/**
 * Who is watching the session, the host first and marked, the viewer's own entry labelled "you";
 * a crowd is cut to the first names and a count, so 500 viewers do not make a 500-line page.
 */
import type { SessionViewer } from '../../../lib/protocol';

const MAX_SHOWN = 24;

export function PresenceList({
  viewers,
  count,
  youId,
}: {
  viewers: SessionViewer[];
  /** How many watch: a crowd's page knows only some of them by name. */
  count: number;
  youId: string | null;
}) {
  const sorted = [...viewers].sort(
    (a, b) =>
      Number(b.host) - Number(a.host) ||
      Number(b.id === youId) - Number(a.id === youId) ||
      a.nickname.localeCompare(b.nickname),
  );
  const shown = sorted.slice(0, MAX_SHOWN);
  return (
    <section aria-labelledby="presence-heading" className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-4">
      <h2 id="presence-heading" className="mb-3 flex items-center justify-between text-sm font-semibold text-zinc-300">
        Watching
        <span
          data-testid="viewer-count"
          className="rounded-full bg-zinc-800 px-2 py-0.5 text-xs font-medium text-zinc-300"
        >
          {Math.max(count, viewers.length)}
        </span>
      </h2>
      <ul data-testid="presence" className="flex flex-wrap gap-1.5 md:flex-col md:flex-nowrap">
        {shown.map((v) => (
          <li
            key={v.id}
            className="inline-flex min-w-0 items-center gap-2 rounded-lg bg-zinc-800/60 px-2.5 py-1 text-sm text-zinc-200"
          >
            <span
              className={`h-2 w-2 shrink-0 rounded-full ${v.host ? 'bg-amber-400' : 'bg-emerald-400'}`}
              aria-hidden
            />
            <span className="truncate">{v.nickname}</span>
            {v.host && <span className="text-[10px] font-semibold uppercase tracking-wide text-amber-300">host</span>}
            {v.id === youId && <span className="text-[10px] uppercase tracking-wide text-zinc-500">you</span>}
          </li>
        ))}
        {Math.max(count, sorted.length) > shown.length && (
          <li className="px-2.5 py-1 text-sm text-zinc-500">
            and {Math.max(count, sorted.length) - shown.length} more
          </li>
        )}
      </ul>
    </section>
  );
}
