/**
 * The lobby: every session, live (state, progress, viewers arrive as `sessions:summary` pushes),
 * with the form to create one. Training sessions first, then queued and waiting, then ended.
 */
'use client';

import { useEffect, useState } from 'react';
import type { SessionState, SessionSummary } from '../../../lib/protocol';
import { getSocket, listen, request } from '../../realtime/socket';
import { CreateSessionForm } from './CreateSessionForm';
import { SessionCard } from './SessionCard';

const ORDER: Record<SessionState, number> = {
  training: 0,
  paused: 1,
  queued: 2,
  waiting: 3,
  finished: 4,
  stopped: 5,
  failed: 6,
};

export function SessionLobby() {
  const [sessions, setSessions] = useState<Map<string, SessionSummary> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const socket = getSocket();
    const onSummary = (s: SessionSummary) => setSessions((old) => new Map(old ?? []).set(s.id, s));
    const watch = async () => {
      const reply = await request('sessions:watch', {});
      if (!reply.ok) return setError(reply.error);
      setError(null);
      setSessions(new Map(reply.data.sessions.map((s) => [s.id, s])));
    };
    const unlisten = listen({ 'sessions:summary': onSummary, connect: watch });
    if (socket.connected) void watch();
    return () => {
      unlisten();
      if (socket.connected) void request('sessions:unwatch', {});
    };
  }, []);

  const list = [...(sessions?.values() ?? [])].sort(
    (a, b) => ORDER[a.state] - ORDER[b.state] || b.createdAt.localeCompare(a.createdAt),
  );
  const live = list.filter((s) => ORDER[s.state] <= 3);
  const ended = list.filter((s) => ORDER[s.state] > 3);

  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_19rem]">
      <div
        className="order-2 flex min-w-0 flex-col gap-8 lg:order-1"
        data-testid="session-list"
        data-state={sessions ? 'filled' : 'empty'}
      >
        {error && (
          <p
            role="alert"
            className="rounded-lg border border-rose-500/30 bg-rose-500/10 px-4 py-3 text-sm text-rose-200"
          >
            {error}
          </p>
        )}
        <section aria-labelledby="live-heading">
          <h2 id="live-heading" className="mb-3 text-sm font-semibold uppercase tracking-wider text-zinc-400">
            Live now
          </h2>
          {live.length ? (
            <ul className="grid gap-3 sm:grid-cols-2">
              {live.map((s) => (
                <SessionCard key={s.id} session={s} />
              ))}
            </ul>
          ) : (
            <p className="rounded-xl border border-dashed border-zinc-800 p-6 text-center text-sm text-zinc-500">
              {sessions ? 'No session is running. Start one, then share its link.' : 'Loading sessions…'}
            </p>
          )}
        </section>
        {ended.length > 0 && (
          <section aria-labelledby="ended-heading">
            <h2 id="ended-heading" className="mb-3 text-sm font-semibold uppercase tracking-wider text-zinc-400">
              Ended (replay them)
            </h2>
            <ul className="grid gap-3 sm:grid-cols-2">
              {ended.map((s) => (
                <SessionCard key={s.id} session={s} />
              ))}
            </ul>
          </section>
        )}
      </div>
      <aside className="order-1 lg:order-2">
        <CreateSessionForm />
      </aside>
    </div>
  );
}
