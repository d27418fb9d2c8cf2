'use client';
/** The assessments list grouped by model version, a per-class bar chart (SVG) for each, and a side-by-side comparison. */
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import type { RequestData } from '../../lib/protocol';
import { CLASS_NAMES } from '../../lib/classes';
import { request } from '../realtime/socket';
import { useReloadKey } from '../realtime/reload';
import { NotLoaded } from '../components/Messages';
import { figuresOf, type Figures } from './figures';

type Row = RequestData<'assessments:list'>['assessments'][number];
const COLORS = ['#818cf8', '#fbbf24', '#34d399'];

function PerClassChart({ perClass }: { perClass: Figures['perClass'] }) {
  if (perClass.length === 0) return null;
  const w = 36;
  const h = 120;
  const bar = (w - 6) / perClass.length;
  return (
    <svg viewBox={`0 0 ${w * 10} ${h + 40}`} className="mt-2 w-full max-w-lg" role="img" aria-label="per-class chart">
      {CLASS_NAMES.map((name, c) => (
        <g key={name} transform={`translate(${c * w},0)`}>
          {perClass.map((s, i) => {
            const v = Math.max(0, Math.min(1, s.values[c] ?? 0));
            return (
              <rect
                key={s.name}
                x={3 + i * bar}
                y={h - v * h}
                width={bar - 1}
                height={v * h}
                fill={COLORS[i % COLORS.length]}
              >
                <title>{`${name} ${s.name}: ${(v * 100).toFixed(1)} %`}</title>
              </rect>
            );
          })}
          <text x={w / 2} y={h + 12} fontSize="8" textAnchor="middle" fill="#a1a1aa">
            {name.split(/[ /]/)[0]}
          </text>
        </g>
      ))}
      {perClass.map((s, i) => (
        <text key={s.name} x={i * 90} y={h + 32} fontSize="9" fill={COLORS[i % COLORS.length]}>
          ■ {s.name}
        </text>
      ))}
    </svg>
  );
}

function AssessmentCard({ row }: { row: Row }) {
  const f = figuresOf(row.metrics);
  return (
    <div className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-3">
      <p className="text-xs text-zinc-500">
        #{row.id} · {row.source} · {new Date(row.createdAt).toLocaleString()}
      </p>
      <p className="text-sm font-semibold text-zinc-200">
        {row.modelVersion.kind.toUpperCase()} {row.modelVersion.name} (
        <Link href={`/models/${row.modelVersion.id}`} className="text-indigo-300 hover:underline">
          version {row.modelVersion.id}
        </Link>
        , {row.modelVersion.path})
      </p>
      {row.session && (
        <p className="text-xs text-zinc-400" data-testid="assessment-session">
          Trained in{' '}
          <Link href={`/sessions/${row.session.id}`} className="text-indigo-300 hover:underline">
            session “{row.session.name}”
          </Link>
        </p>
      )}
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 text-sm text-zinc-300">
        {f.figures.map((x) => (
          <div key={x.name} className="contents">
            <dt className="text-zinc-500">{x.name}</dt>
            <dd className="tabular-nums">{x.value}</dd>
          </div>
        ))}
      </dl>
      <PerClassChart perClass={f.perClass} />
    </div>
  );
}

export function AssessmentsView() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [hasMore, setHasMore] = useState(false);
  /** Loads the page after `shown` (the first page when empty) and appends it. */
  const load = (shown: Row[]) => {
    const beforeId = shown.at(-1)?.id ?? null;
    void request('assessments:list', { beforeId }).then((r) => {
      if (!r.ok) return setError(r.error);
      setError(null);
      setRows([...shown, ...r.data.assessments]);
      setHasMore(r.data.hasMore);
    });
  };
  // The first page, again when the connection comes back after a drop (a load that failed meanwhile
  // is retried) or a moderation change.
  const reload = useReloadKey();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is the trigger; load only calls request and state setters
  useEffect(() => load([]), [reload]);
  const byVersion = useMemo(() => {
    const m = new Map<number, Row[]>();
    for (const r of rows ?? []) m.set(r.modelVersion.id, [...(m.get(r.modelVersion.id) ?? []), r]);
    return [...m.values()];
  }, [rows]);

  if (error || !rows) return <NotLoaded error={error} />;
  if (rows.length === 0)
    return (
      <p className="mt-6 text-zinc-400">
        No assessments stored yet: run <code>npm run assess -- --model models/vae</code> or{' '}
        <code>npm run eval:cnn -- --save</code>.
      </p>
    );
  const compared = picked.map((id) => rows.find((r) => r.id === id)!).filter(Boolean);
  return (
    <div className="mt-6 space-y-8">
      {compared.length === 2 && (
        <section>
          <h2 className="mb-2 text-lg font-semibold text-zinc-100">Side by side</h2>
          <div className="grid gap-4 md:grid-cols-2">
            {compared.map((r) => (
              <AssessmentCard key={r.id} row={r} />
            ))}
          </div>
        </section>
      )}
      {byVersion.map((list) => (
        <section key={list[0]!.modelVersion.id}>
          <h2 className="mb-2 text-lg font-semibold text-zinc-100">
            {list[0]!.modelVersion.name} · version {list[0]!.modelVersion.id}
          </h2>
          <ul className="grid gap-3 md:grid-cols-2">
            {list.map((r) => (
              <li key={r.id}>
                <label className="mb-1 flex items-center gap-2 text-xs text-zinc-400">
                  <input
                    type="checkbox"
                    checked={picked.includes(r.id)}
                    onChange={(e) =>
                      setPicked((p) => (e.target.checked ? [...p, r.id].slice(-2) : p.filter((x) => x !== r.id)))
                    }
                  />
                  compare
                </label>
                <AssessmentCard row={r} />
              </li>
            ))}
          </ul>
        </section>
      ))}
      {hasMore && (
        <button
          type="button"
          onClick={() => load(rows)}
          className="rounded border border-zinc-700 px-3 py-1 text-sm text-zinc-200"
        >
          Show older assessments
        </button>
      )}
    </div>
  );
}
