/**
 * Follows one session from the page: joins it (again after every reconnect, asking only for the
 * events after the last one seen), feeds live events and presence into a SessionTimeline, and
 * re-renders at most once per animation frame however fast the metrics arrive.
 */
'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { PresenceChange, SessionBatchEvent, SessionEvent, SessionSummary } from '../../../lib/protocol';
import { SessionTimeline } from '../../../lib/sessions/timeline';
import { getSocket, listen, request } from '../../realtime/socket';

export type Connection = 'connecting' | 'live' | 'offline';
type HostAction = 'start' | 'pause' | 'resume' | 'stop';

/** Joins as the guest the cookie names (or as an anonymous visitor); a new nickname reconnects and joins again. */
export function useSession(sessionId: string) {
  const timeline = useRef(new SessionTimeline()).current;
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');

  useEffect(() => {
    const socket = getSocket();
    let frame = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let active = true;
    const redraw = () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        setVersion(timeline.version);
      });
    };
    const onEvent = ({ sessionId: id, event }: { sessionId: string; event: SessionEvent | SessionBatchEvent }) => {
      if (id === sessionId && timeline.live(event)) redraw();
    };
    const onPresence = ({
      sessionId: id,
      viewers,
      changes,
    }: {
      sessionId: string;
      viewers: number;
      changes: PresenceChange[];
    }) => {
      if (id !== sessionId) return;
      timeline.presence(changes, viewers);
      redraw();
    };
    // Sent to the session's page when a moderator hid the host's nickname or showed it again, and
    // when the session's place in the training queue moved.
    const onSummary = (summary: SessionSummary) => {
      if (summary.id !== sessionId) return;
      timeline.applySummary(summary);
      redraw();
    };
    const join = async () => {
      clearTimeout(retry);
      setConnection('live');
      timeline.beginJoin();
      const since = timeline.lastSeq > 0 ? timeline.lastSeq : null;
      const reply = await request('session:join', { sessionId, since }, 15_000);
      if (!active) return;
      if (reply.ok) {
        timeline.applyJoin(reply.data);
        setError(null);
        redraw();
      } else {
        setError(reply.error);
        // A slow or restarting server: try again (an unknown session stays an error).
        if (reply.error.startsWith('No answer')) retry = setTimeout(() => void join(), 3000);
      }
    };
    const onDisconnect = () => setConnection('offline');
    const unlisten = listen({
      'session:event': onEvent,
      'session:batch': onEvent,
      'session:presence': onPresence,
      'sessions:summary': onSummary,
      connect: join,
      disconnect: onDisconnect,
    });
    if (socket.connected) void join();
    return () => {
      active = false;
      clearTimeout(retry);
      cancelAnimationFrame(frame);
      unlisten();
      if (socket.connected) void request('session:leave', { sessionId });
    };
  }, [sessionId, timeline]);

  const control = useCallback(
    async (action: HostAction): Promise<string | null> => {
      const reply = await request('session:control', { sessionId, action });
      return reply.ok ? null : reply.error;
    },
    [sessionId],
  );

  const setLearningRate = useCallback(
    async (lr: number): Promise<string | null> => {
      const reply = await request('session:lr', { sessionId, lr });
      return reply.ok ? null : reply.error;
    },
    [sessionId],
  );

  return { timeline, error, connection, control, setLearningRate };
}
