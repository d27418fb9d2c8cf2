/**
 * Live recognition while drawing. While the pen moves, the drawing is sent at most every
 * `intervalMs` with at most one request in flight (the newest drawing wins, strokes in between are
 * skipped), so a fast stroke does not flood the server. When the pen lifts, the finished drawing is
 * sent at once, without waiting for the throttle or for a request still on its way: that answer is
 * the one the person waits for. Replies are shown newest-first (an older request answering late
 * does not replace a newer answer). An empty canvas sends nothing. A new `send` (another model
 * picked) sends the drawing again, so the answer shown is always the picked model's.
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

type Send = (strokes: Stroke[]) => Promise<{ ok: true; data: Recognition | null } | { ok: false; error: string }>;

export interface RecognitionOptions {
  /** What goes over the wire (draw:recognize, or room:draw in a drawing room). */
  send?: Send;
  /** Shortest time between two requests while the pen moves. */
  intervalMs?: number;
  /** True while the pen is down; when it lifts, the drawing is sent at once. */
  penDown?: boolean;
}

/** `hasInk` false clears the result without a request. */
export function useRecognition(
  strokes: readonly Stroke[],
  hasInk: boolean,
  options: RecognitionOptions = {},
): LiveRecognition {
  const { send = recognizeStrokes, intervalMs = 150, penDown = false } = options;
  const [state, setState] = useState<LiveRecognition>({ result: null, error: null, busy: false });
  const latest = useRef<{ strokes: readonly Stroke[]; hasInk: boolean; penDown: boolean }>({
    strokes,
    hasInk,
    penDown,
  });
  const inFlight = useRef(0);
  const lastSent = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const sentVersion = useRef<readonly Stroke[] | null>(null);
  /** The `send` the last drawing went with: another one (another model) sends it again. */
  const sentWith = useRef<Send | null>(null);
  /** Sequence numbers: of the last request sent, and of the request whose answer is shown. */
  const sentSeq = useRef(0);
  const shownSeq = useRef(0);
  const sendRef = useRef(send);
  sendRef.current = send;

  // biome-ignore lint/correctness/useExhaustiveDependencies: send is read through sendRef; it is a dependency so that another model picked sends the drawing again
  useEffect(() => {
    latest.current = { strokes, hasInk, penDown };
    const pump = async (): Promise<void> => {
      const { strokes: now, hasInk: ink, penDown: down } = latest.current;
      if (now === sentVersion.current && sendRef.current === sentWith.current) return;
      if (down) {
        // While drawing: one request at a time, at most one per interval.
        if (inFlight.current > 0) return;
        const wait = lastSent.current + intervalMs - Date.now();
        if (wait > 0) {
          clearTimeout(timer.current);
          timer.current = setTimeout(() => void pump(), wait);
          return;
        }
      }
      clearTimeout(timer.current);
      sentVersion.current = now;
      sentWith.current = sendRef.current;
      const seq = ++sentSeq.current;
      if (!ink) {
        shownSeq.current = seq;
        setState({ result: null, error: null, busy: inFlight.current > 0 });
        return;
      }
      inFlight.current++;
      lastSent.current = Date.now();
      setState((s) => (s.busy ? s : { ...s, busy: true }));
      const reply = await sendRef.current([...now]);
      inFlight.current--;
      const busy = inFlight.current > 0;
      if (seq < shownSeq.current) setState((s) => (s.busy === busy ? s : { ...s, busy }));
      else {
        shownSeq.current = seq;
        // A reply for a drawing that has since been cleared is stale.
        if (!latest.current.hasInk) setState({ result: null, error: null, busy });
        else if (reply.ok) setState({ result: reply.data, error: null, busy });
        else setState((s) => ({ ...s, error: reply.error, busy }));
      }
      void pump();
    };
    void pump();
  }, [strokes, hasInk, penDown, intervalMs, send]);

  useEffect(() => () => clearTimeout(timer.current), []);
  return state;
}

function recognizeStrokes(strokes: Stroke[]) {
  return request('draw:recognize', { strokes });
}
