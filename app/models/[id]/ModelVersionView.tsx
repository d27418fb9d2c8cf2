'use client';
/**
 * One model version (models:get): who trained it and when, its training charts replayed from the
 * stored training log (the session page replays every batch), its assessments, the report card
 * picture of a CNN, the download, and the log itself.
 */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useReloadKey } from '../../realtime/reload';
import type { ModelVersionDetail, SessionEvent } from '../../../lib/protocol';
import { ConfusionMatrix } from '../../components/training/ConfusionMatrix';
import { TrainingCharts } from '../../components/training/TrainingCharts';
import { figuresOf } from '../../assessments/figures';
import { request } from '../../realtime/socket';
import { headlineOf } from '../headline';

type EpochEvent = Extract<SessionEvent, { type: 'epoch' }>;

/** The log's per-epoch figures as the session charts read them (missing fields left empty). */
function epochsOf(log: unknown): EpochEvent[] {
  const epochs = (log as { epochs?: unknown })?.epochs;
  if (!Array.isArray(epochs)) return [];
  return epochs.filter(
    (e) =>
      e &&
      typeof e === 'object' &&
      typeof (e as { trainLoss?: unknown }).trainLoss === 'number' &&
      (e as { evaluation?: unknown }).evaluation,
  ) as EpochEvent[];
}

/** The operator's switch of the default (refused by the server without its ADMIN_TOKEN). */
function OperatorServe({
  id,
  kind,
  onServed,
}: {
  id: number;
  kind: 'cnn' | 'vae';
  onServed: (v: ModelVersionDetail) => void;
}) {
  const [token, setToken] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const serve = async () => {
    const reply = await request('models:serve', { id, adminToken: token });
    if (!reply.ok) return setMessage(reply.error);
    setMessage(null);
    const detail = await request('models:get', { id });
    if (detail.ok) onServed(detail.data);
  };
  return (
    <details className="text-sm text-zinc-400">
      <summary className="cursor-pointer">Operator: serve this {kind.toUpperCase()} by default</summary>
      <form
        className="mt-2 flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void serve();
        }}
      >
        <input
          type="password"
          autoComplete="off"
          placeholder="operator token (ADMIN_TOKEN)"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
        />
        <button type="submit" className="rounded border border-zinc-600 px-3 py-1 text-zinc-200">
          Serve by default
        </button>
        {message && (
          <span role="alert" data-testid="operator-message" className="text-rose-400">
            {message}
          </span>
        )}
      </form>
    </details>
  );
}

export function ModelVersionView({ id }: { id: number }) {
  const [v, setV] = useState<ModelVersionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Reloaded when a moderator hides a nickname (the session's host) or shows it again, and when the
  // connection comes back after a request failed for want of it.
  const reload = useReloadKey();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is the trigger (hidden hosts disappear, shown ones come back, a failed load is retried)
  useEffect(() => {
    if (!Number.isInteger(id) || id <= 0)
      return setError('A model version is a positive whole number; pick one from the list.');
    void request('models:get', { id }).then((r) => {
      if (!r.ok) return setError(r.error);
      setV(r.data);
      setError(null); // a reload that worked (e.g. after a moderation change) clears an earlier error
    });
  }, [id, reload]);
  if (error)
    return (
      <p role="alert" className="text-rose-400">
        {error}{' '}
        <Link href="/models" className="text-indigo-300 hover:underline">
          All models
        </Link>
      </p>
    );
  if (!v) return <p className="text-zinc-400">Loading…</p>;
  const epochs = epochsOf(v.trainingLog);
  const matrix = v.assessments
    .map((a) => (a.metrics as { confusionMatrix?: number[][] })?.confusionMatrix)
    .find((m) => Array.isArray(m) && m.length === 10);
  return (
    <div className="space-y-8" data-testid="model-version">
      <header>
        <p className="text-sm">
          <Link href="/models" className="text-indigo-300 hover:underline">
            All models
          </Link>
        </p>
        <h1 className="mt-1 text-2xl font-semibold text-zinc-50">
          #{v.id} {v.kind.toUpperCase()} · {v.session ? `session “${v.session.name}”` : v.name}
          {v.served && (
            <span className="ml-3 rounded-full bg-emerald-500/15 px-2 py-0.5 align-middle text-xs text-emerald-300">
              served by default
            </span>
          )}
        </h1>
        <p className="mt-2 text-sm text-zinc-400" data-testid="model-origin">
          {v.session ? (
            <>
              Trained by <strong className="text-zinc-200">{v.session.hostNickname}</strong> in{' '}
              <Link href={`/sessions/${v.session.id}`} className="text-indigo-300 hover:underline">
                session {v.session.id}
              </Link>{' '}
              on {new Date(v.session.createdAt).toLocaleString()}
            </>
          ) : (
            <>
              From the model folder <code>{v.path}</code>
              {typeof (v.trainingLog as { command?: unknown })?.command === 'string' && (
                <>
                  {' '}
                  (<code className="break-all">{(v.trainingLog as { command: string }).command}</code>)
                </>
              )}
            </>
          )}
          ; registered {new Date(v.createdAt).toLocaleString()} · {v.params.toLocaleString('en')} parameters · answers
          as <code>{v.tag}</code>
          {headlineOf(v.metrics) && <> · {headlineOf(v.metrics)}</>}
        </p>
        <div className="mt-3 flex flex-wrap gap-3 text-sm">
          {v.available ? (
            <a
              href={v.archiveUrl}
              download
              className="rounded bg-indigo-500 px-3 py-1 font-semibold text-white"
              data-testid="download"
            >
              Download (TensorFlow.js files + training-log.json, .tar.gz)
            </a>
          ) : (
            <span className="text-zinc-500">
              {v.replacedBy === null ? (
                'Its files are no longer on this server.'
              ) : (
                <>
                  Its folder now holds a newer model:{' '}
                  <Link href={`/models/${v.replacedBy}`} className="text-indigo-300 hover:underline">
                    version {v.replacedBy}
                  </Link>
                  .
                </>
              )}
            </span>
          )}
          {v.available && (
            <Link
              href={`${v.kind === 'cnn' ? '/draw' : '/vote'}?model=${v.id}`}
              className="rounded border border-zinc-700 px-3 py-1 text-zinc-200"
            >
              Try it on {v.kind === 'cnn' ? 'Draw' : 'Vote'}
            </Link>
          )}
        </div>
      </header>

      {v.available && !v.served && <OperatorServe id={v.id} kind={v.kind} onServed={setV} />}

      {epochs.length > 0 && (
        <section>
          <h2 className="mb-2 text-lg font-semibold text-zinc-100">Training, epoch by epoch</h2>
          <TrainingCharts kind={v.kind} batches={[]} epochs={epochs} version={epochs.length} selectedEpoch={null} />
        </section>
      )}

      {v.reportCardUrl && (
        <section>
          <h2 className="mb-2 text-lg font-semibold text-zinc-100">Report card</h2>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={v.reportCardUrl}
            alt="Confusion matrix heat map, per-class accuracy and the most confident mistakes"
            className="w-full max-w-4xl rounded-lg border border-zinc-800"
            data-testid="report-card"
          />
        </section>
      )}

      <section>
        <h2 className="mb-2 text-lg font-semibold text-zinc-100">Assessments</h2>
        {v.assessments.length === 0 && <p className="text-sm text-zinc-400">None stored yet.</p>}
        <ul className="grid gap-3 md:grid-cols-2">
          {v.assessments.map((a) => (
            <li
              key={a.id}
              className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-3"
              data-testid="model-assessment"
            >
              <p className="text-xs text-zinc-500">
                #{a.id} · {a.source} · {new Date(a.createdAt).toLocaleString()}
              </p>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 text-sm text-zinc-300">
                {figuresOf(a.metrics).figures.map((x) => (
                  <div key={x.name} className="contents">
                    <dt className="text-zinc-500">{x.name}</dt>
                    <dd className="tabular-nums">{x.value}</dd>
                  </div>
                ))}
              </dl>
            </li>
          ))}
        </ul>
        {matrix && !v.reportCardUrl && (
          <div className="mt-4 max-w-xl">
            <ConfusionMatrix matrix={matrix} />
          </div>
        )}
      </section>

      <section>
        <details>
          <summary className="cursor-pointer text-lg font-semibold text-zinc-100">Training log</summary>
          <pre className="mt-2 max-h-[32rem] overflow-auto rounded-lg border border-zinc-800 bg-zinc-950 p-3 text-xs text-zinc-300">
            {JSON.stringify(v.trainingLog, null, 1)}
          </pre>
        </details>
      </section>
    </div>
  );
}
