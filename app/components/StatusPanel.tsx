/**
 * The live status panel of the home page: asks `status:get` on every (re)connect, then follows the
 * server's `status` pushes. Shows the TensorFlow.js backend (and what was tried), the model and the
 * database, and whether the page is connected at all.
 */
'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { StatusSchema, type Status } from '../../lib/protocol';
import { getSocket, listen, request } from '../realtime/socket';

type Connection = 'connecting' | 'live' | 'offline';

export function StatusPanel() {
  const [connection, setConnection] = useState<Connection>('connecting');
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [receivedAt, setReceivedAt] = useState(0);
  const [now, setNow] = useState(0);

  useEffect(() => {
    const socket = getSocket();
    const accept = (value: unknown) => {
      const parsed = StatusSchema.safeParse(value);
      if (!parsed.success) {
        setError('The server sent a status this page does not understand; reload the page.');
        return;
      }
      setStatus(parsed.data);
      setError(null);
      setReceivedAt(Date.now());
    };
    const onConnect = async () => {
      setConnection('live');
      const reply = await request('status:get', {});
      if (reply.ok) accept(reply.data);
      else setError(reply.error);
    };
    const onDisconnect = () => setConnection('offline');
    const unlisten = listen({
      connect: onConnect,
      disconnect: onDisconnect,
      connect_error: onDisconnect,
      status: accept,
    });
    if (socket.connected) void onConnect();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      unlisten();
      clearInterval(tick);
    };
  }, []);

  const uptime = status ? status.uptimeSeconds + Math.max(0, Math.floor((now - receivedAt) / 1000)) : null;

  return (
    <section aria-labelledby="status-heading" data-testid="status-panel" data-state={status ? 'filled' : 'empty'}>
      <div className="mb-4 flex items-center justify-between gap-4">
        <h2 id="status-heading" className="text-sm font-semibold uppercase tracking-wider text-zinc-400">
          Server status
        </h2>
        <ConnectionBadge connection={connection} />
      </div>
      {error && (
        <p
          role="alert"
          className="mb-4 rounded-lg border border-rose-500/30 bg-rose-500/10 px-4 py-3 text-sm text-rose-200"
        >
          {error}
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Card testId="status-backend" title="Compute backend" ok={status ? status.backend.name !== null : null}>
          {status && (
            <>
              <Value>
                {status.backend.name ?? 'none yet'}
                {status.backend.simd !== undefined && (
                  <span className="ml-2 rounded bg-zinc-800 px-1.5 py-0.5 align-middle text-[10px] font-medium uppercase tracking-wide text-zinc-300">
                    {status.backend.simd ? 'SIMD' : 'no SIMD'}
                  </span>
                )}
              </Value>
              {status.backend.tried.length > 0 && (
                <ul className="mt-3 space-y-1 text-xs text-zinc-400">
                  {status.backend.tried.map((t) => (
                    <li key={t.name} className="flex gap-2" title={t.error}>
                      <span aria-hidden className={t.ok ? 'text-emerald-400' : 'text-zinc-600'}>
                        {t.ok ? '●' : '○'}
                      </span>
                      <span className="min-w-0">
                        <span className={t.ok ? 'text-zinc-200' : undefined}>{t.name}</span>
                        {t.error && <span className="block truncate text-zinc-500">{t.error}</span>}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </Card>
        <Card testId="status-model" title="Model" ok={status ? status.model.loaded : null}>
          {status &&
            (status.model.loaded ? (
              <>
                <Value>{status.model.version ?? 'loaded'}</Value>
                <Detail>{status.model.params?.toLocaleString('en-US')} parameters</Detail>
                <Detail>
                  served from the <code className="text-zinc-300">{status.model.path}</code> model folder
                </Detail>
              </>
            ) : (
              <>
                <Value>not loaded</Value>
                <Detail>
                  Train one with <code className="text-zinc-300">npm run train:cnn</code>.
                </Detail>
              </>
            ))}
        </Card>
        <Card testId="status-database" title="Database" ok={status ? status.database.ok : null}>
          {status && (
            <>
              <Value>{status.database.ok ? 'reachable' : 'unreachable'}</Value>
              <Detail>
                {status.database.where ?? (status.database.kind === 'postgresql' ? 'PostgreSQL' : 'embedded PGlite')}
              </Detail>
              {status.database.error && <Detail>{status.database.error}</Detail>}
            </>
          )}
        </Card>
        <Card testId="status-server" title="Server" ok={status ? connection === 'live' : null}>
          {status && uptime !== null && (
            <>
              <Value>up {formatDuration(uptime)}</Value>
              <Detail>
                since {new Date(Date.parse(status.serverTime) - status.uptimeSeconds * 1000).toLocaleTimeString()}
              </Detail>
            </>
          )}
        </Card>
        {status?.trainers && (
          <Card testId="status-trainers" title="Trainers" ok={status.trainers.length > 0}>
            <Value>
              {status.trainers.length === 0
                ? 'none'
                : `${status.trainers.length} · ${status.trainers.reduce((n, t) => n + t.running.length, 0)} of ${status.trainers.reduce((n, t) => n + t.slots, 0)} slots busy`}
            </Value>
            {status.trainers.length === 0 ? (
              <Detail>
                Sessions wait in the queue until a trainer starts: <code className="text-zinc-300">npm run worker</code>
                .
              </Detail>
            ) : (
              <ul className="mt-3 space-y-1 text-xs text-zinc-400">
                {status.trainers.map((t) => (
                  <li key={t.id} className="flex gap-2">
                    <span aria-hidden className={t.running.length > 0 ? 'text-emerald-400' : 'text-zinc-600'}>
                      {t.running.length > 0 ? '●' : '○'}
                    </span>
                    <span className="min-w-0">
                      <span className="text-zinc-200">{t.host}</span> · {t.backend}
                      {t.simd ? ' SIMD' : ''}
                      {t.training ? ` (${t.training})` : ''} · {t.running.length}/{t.slots} busy
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        )}
      </div>
    </section>
  );
}

function ConnectionBadge({ connection }: { connection: Connection }) {
  const look = {
    connecting: ['bg-amber-400', 'Connecting…'],
    live: ['bg-emerald-400', 'Live'],
    offline: ['bg-rose-500', 'Reconnecting…'],
  } as const;
  const [dot, label] = look[connection];
  return (
    <span
      data-testid="connection"
      data-connection={connection}
      className="inline-flex items-center gap-2 rounded-full border border-zinc-800 bg-zinc-900 px-3 py-1 text-xs text-zinc-300"
    >
      <span className={`size-2 rounded-full ${dot} ${connection === 'live' ? 'animate-pulse' : ''}`} />
      {label}
    </span>
  );
}

function Card({
  title,
  ok,
  testId,
  children,
}: {
  title: string;
  ok: boolean | null;
  testId: string;
  children: ReactNode;
}) {
  const ring = ok === null ? 'border-zinc-800' : ok ? 'border-emerald-500/25' : 'border-amber-500/30';
  return (
    <div data-testid={testId} className={`rounded-xl border ${ring} bg-zinc-900/60 p-4`}>
      <div className="mb-2 flex items-center justify-between text-xs font-medium text-zinc-400">
        {title}
        {ok !== null && (
          <span className={ok ? 'text-emerald-400' : 'text-amber-400'} aria-label={ok ? 'ok' : 'attention'}>
            {ok ? '✓' : '!'}
          </span>
        )}
      </div>
      {children ?? <div className="h-6 w-2/3 animate-pulse rounded bg-zinc-800" />}
    </div>
  );
}

const Value = ({ children }: { children: ReactNode }) => (
  <div className="text-lg font-semibold tracking-tight text-zinc-50">{children}</div>
);

const Detail = ({ children, mono = false }: { children: ReactNode; mono?: boolean }) => (
  <div className={`mt-1 break-words text-xs text-zinc-400 ${mono ? 'font-mono' : ''}`}>{children}</div>
);

function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
