'use client';
/**
 * A model version picker: every stored version of a kind (models:list), the served default first.
 * `null` is "the served model"; a picked id goes with each request (draw:recognize, room:draw,
 * vote:start), and the reply names the version that answered. `?model=<id>` in the URL picks one.
 */
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import type { ModelVersionSummary } from '../../../lib/protocol';
import { request } from '../../realtime/socket';
import { useReloadKey } from '../../realtime/reload';

function label(v: ModelVersionSummary): string {
  const who = v.session ? `session “${v.session.name}” by ${v.session.hostNickname}` : v.name;
  return `#${v.id} · ${who} · ${new Date(v.createdAt).toLocaleDateString()}`;
}

export function ModelPicker({
  kind,
  value,
  onChange,
}: {
  kind: 'cnn' | 'vae';
  value: number | null;
  onChange: (id: number | null) => void;
}) {
  const [versions, setVersions] = useState<ModelVersionSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The list loads once per kind, tried again when the connection comes back after a drop if it has
  // not loaded yet (a loaded list is not reloaded: that would undo a pick with the ?model= link).
  const reload = useReloadKey();
  const loadedFor = useRef<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a retry trigger; onChange is a state setter from the parent, and the ?model= link is read only on the first load that works
  useEffect(() => {
    if (loadedFor.current === kind) return;
    void request('models:list', { kind }).then((r) => {
      // Without the list only the served model can be picked (a ?model= link falls back to it): say why.
      if (!r.ok) return setError(`Other versions could not be listed: ${r.error}`);
      if (loadedFor.current === kind) return;
      loadedFor.current = kind;
      setError(null);
      const usable = r.data.versions.filter((v) => v.available);
      setVersions(usable);
      // A link from a version's page (?model=<id>) picks that version, also one older than the list.
      const wanted = Number(new URLSearchParams(window.location.search).get('model'));
      if (usable.some((v) => v.id === wanted)) return onChange(wanted);
      if (!Number.isInteger(wanted) || wanted <= 0) return;
      void request('models:get', { id: wanted }).then((one) => {
        if (!one.ok || !one.data.available || one.data.kind !== kind) return;
        const { trainingLog: _log, archiveUrl: _a, reportCardUrl: _r, ...summary } = one.data;
        const listed = { ...summary, assessments: one.data.assessments.length };
        setVersions((vs) => (vs.some((v) => v.id === wanted) ? vs : [...vs, listed]));
        onChange(wanted);
      });
    });
  }, [kind, reload]);
  const served = versions.find((v) => v.served);
  return (
    <label className="flex flex-wrap items-center gap-2 text-sm text-zinc-400">
      <span>Model</span>
      <select
        data-testid={`model-picker-${kind}`}
        className="max-w-[20rem] rounded-md border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      >
        <option value="">{served ? `served (#${served.id})` : 'served model'}</option>
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            {label(v)}
          </option>
        ))}
      </select>
      <Link href={value ? `/models/${value}` : '/models'} className="text-xs text-indigo-300 hover:underline">
        about
      </Link>
      {error && (
        <span role="alert" className="basis-full text-xs text-rose-300">
          {error}
        </span>
      )}
    </label>
  );
}
