/**
 * The drawing being made, with undo and redo: strokes in canvas units (a fixed CANVAS_SIZE square,
 * whatever size the canvas is shown at), a stroke growing while the pointer moves, and the
 * drawing-size limits of the protocol enforced as points arrive.
 */
'use client';

import { useCallback, useState } from 'react';
import { DRAW_LIMITS } from '../../../lib/protocol';
import type { Stroke } from '../../../lib/sketch/preprocess';

/** Logical side of the drawing area; the stage is scaled to the space it gets. */
export const CANVAS_SIZE = 400;
/** A new point is kept only this far (canvas units) from the last one: fewer points, same line. */
const MIN_STEP = 1.5;

export type Tool = 'pen' | 'eraser';

interface History {
  past: Stroke[][];
  present: Stroke[];
  future: Stroke[][];
  drawing: boolean;
}

const totalPoints = (strokes: readonly Stroke[]): number => strokes.reduce((n, s) => n + s.points.length / 2, 0);
const round = (v: number): number => Math.round(v * 10) / 10;

export interface StrokeHistory {
  strokes: Stroke[];
  /** True between pointer down and up. */
  drawing: boolean;
  canUndo: boolean;
  canRedo: boolean;
  /** Set when the drawing reached the protocol's size limit and a stroke was cut short. */
  full: boolean;
  begin(x: number, y: number, tool: Tool, width: number): void;
  extend(x: number, y: number): void;
  end(): void;
  undo(): void;
  redo(): void;
  clear(): void;
  /** Replaces the whole drawing (e.g. a room's drawing), without history. */
  replace(strokes: Stroke[]): void;
}

export function useStrokeHistory(): StrokeHistory {
  const [h, setH] = useState<History>({ past: [], present: [], future: [], drawing: false });
  const [full, setFull] = useState(false);

  const begin = useCallback((x: number, y: number, tool: Tool, width: number) => {
    setH((s) => {
      if (s.present.length >= DRAW_LIMITS.strokes || totalPoints(s.present) >= DRAW_LIMITS.points) {
        setFull(true);
        return s;
      }
      const stroke: Stroke = { points: [round(x), round(y)], width, tool };
      return { past: [...s.past, s.present], present: [...s.present, stroke], future: [], drawing: true };
    });
  }, []);

  const extend = useCallback((x: number, y: number) => {
    setH((s) => {
      if (!s.drawing) return s;
      const last = s.present[s.present.length - 1]!;
      const n = last.points.length;
      if (Math.hypot(x - last.points[n - 2]!, y - last.points[n - 1]!) < MIN_STEP) return s;
      if (totalPoints(s.present) >= DRAW_LIMITS.points) {
        setFull(true);
        return { ...s, drawing: false };
      }
      const grown: Stroke = { ...last, points: [...last.points, round(x), round(y)] };
      return { ...s, present: [...s.present.slice(0, -1), grown] };
    });
  }, []);

  const end = useCallback(() => setH((s) => (s.drawing ? { ...s, drawing: false } : s)), []);

  const undo = useCallback(() => {
    setFull(false);
    setH((s) =>
      s.past.length === 0
        ? s
        : {
            past: s.past.slice(0, -1),
            present: s.past[s.past.length - 1]!,
            future: [s.present, ...s.future],
            drawing: false,
          },
    );
  }, []);

  const redo = useCallback(() => {
    setH((s) =>
      s.future.length === 0
        ? s
        : { past: [...s.past, s.present], present: s.future[0]!, future: s.future.slice(1), drawing: false },
    );
  }, []);

  const clear = useCallback(() => {
    setFull(false);
    setH((s) =>
      s.present.length === 0 ? s : { past: [...s.past, s.present], present: [], future: [], drawing: false },
    );
  }, []);

  const replace = useCallback(
    (strokes: Stroke[]) => setH({ past: [], present: strokes, future: [], drawing: false }),
    [],
  );

  return {
    strokes: h.present,
    drawing: h.drawing,
    canUndo: h.past.length > 0,
    canRedo: h.future.length > 0,
    full,
    begin,
    extend,
    end,
    undo,
    redo,
    clear,
    replace,
  };
}
