/**
 * Live recognition while drawing: the drawing is sent to the server at most every `intervalMs`
 * and with at most one request in flight (the newest drawing wins, strokes in between are
 * skipped), so a fast stroke does not flood the server. An empty canvas sends nothing.
 */
'use client';

import { useEffect, useRef, useState } from 'react';
import type { Stroke } from '../../../lib/sketch/preprocess';
import type { Recognition } from '../../../lib/protocol';
import { request } from '../../realtime/socket';

export interface LiveRecognition {
  result: Recognition | null;
  error: string | null;
  /** A request is on its way. */
  busy: boolean;
}

/**
 * `send` decides what goes over the wire (draw:recognize, or room:draw in a drawing room);
 * `hasInk` false clears the result without a request.
 */
export function useRecognition(
  strokes: readonly Stroke[],
  hasInk: boolean,
  send: (strokes: Stroke[]) => Promise<{ ok: true; data: Recognition | null } | { ok: false; error: string }> = recognizeStrokes,
  intervalMs = 150,
): LiveRecognition {
  const [state, setState] = useState<LiveRecognition>({ result: null, error: null, busy: false });
  const latest = useRef<{ strokes: readonly Stroke[]; hasInk: boolean }>({ strokes, hasInk });
  const inFlight = useRef(false);
  const lastSent = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const sentVersion = useRef<readonly Stroke[] | null>(null);
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    latest.current = { strokes, hasInk };
    const pump = async (): Promise<void> => {
      if (inFlight.current) return;
      const { strokes: now, hasInk: ink } = latest.current;
      if (now === sentVersion.current) return;
      const wait = lastSent.current + intervalMs - Date.now();
      if (wait > 0) {
        clearTimeout(timer.current);
        timer.current = setTimeout(() => void pump(), wait);
        return;
      }
      sentVersion.current = now;
      if (!ink) {
        setState({ result: null, error: null, busy: false });
        return;
      }
      inFlight.current = true;
      lastSent.current = Date.now();
      setState((s) => ({ ...s, busy: true }));
      const reply = await sendRef.current([...now]);
      inFlight.current = false;
      // A reply for a drawing that has since been cleared is stale.
      if (!latest.current.hasInk) setState({ result: null, error: null, busy: false });
      else if (reply.ok) setState({ result: reply.data, error: null, busy: false });
      else setState((s) => ({ ...s, error: reply.error, busy: false }));
      void pump();
    };
    void pump();
  }, [strokes, hasInk, intervalMs]);

  useEffect(() => () => clearTimeout(timer.current), []);
  return state;
}

function recognizeStrokes(strokes: Stroke[]) {
  return request('draw:recognize', { strokes });
}
