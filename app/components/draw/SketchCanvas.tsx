/**
 * The Konva drawing surface (loaded only in the browser, see DrawingCanvas.tsx): a white sheet
 * scaled to fit its container, the strokes as round-capped lines (eraser strokes cut through the
 * ink layer), and pointer input from mouse, touch and pen alike. Coordinates are canvas units
 * (CANVAS_SIZE square), independent of the size the sheet is shown at.
 */
'use client';

import type Konva from 'konva';
import { useEffect, useRef, useState } from 'react';
import { Layer, Line, Rect, Stage } from 'react-konva';
import type { Stroke } from '../../../lib/sketch/preprocess';
import { CANVAS_SIZE, type Tool } from './useStrokeHistory';

export interface SketchCanvasProps {
  strokes: readonly Stroke[];
  /** Omit for a read-only canvas (a watcher in a drawing room). */
  onBegin?: (x: number, y: number) => void;
  onExtend?: (x: number, y: number) => void;
  onEnd?: () => void;
  tool?: Tool;
  penWidth?: number;
}

export default function SketchCanvas({
  strokes,
  onBegin,
  onExtend,
  onEnd,
  tool = 'pen',
  penWidth = 12,
}: SketchCanvasProps) {
  const box = useRef<HTMLDivElement>(null);
  const [side, setSide] = useState(0);
  const [hover, setHover] = useState<{ x: number; y: number } | null>(null);
  const editable = Boolean(onBegin);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setSide(Math.floor(el.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const scale = side / CANVAS_SIZE;
  /** The pointer drawing the current stroke, null between strokes. */
  const pointer = useRef<number | null>(null);
  const end = (pointerId: number) => {
    if (pointer.current !== null && pointer.current !== pointerId) return;
    pointer.current = null;
    onEnd?.();
  };
  const endRef = useRef(end);
  endRef.current = end;
  // A pointer lifted where the stage does not hear it (outside, its capture lost) still ends its
  // stroke: otherwise the canvas would wait for it and ignore every other pointer.
  useEffect(() => {
    const lifted = (e: PointerEvent) => {
      if (pointer.current === e.pointerId) endRef.current(e.pointerId);
    };
    window.addEventListener('pointerup', lifted);
    window.addEventListener('pointercancel', lifted);
    return () => {
      window.removeEventListener('pointerup', lifted);
      window.removeEventListener('pointercancel', lifted);
    };
  }, []);
  const position = (e: Konva.KonvaEventObject<PointerEvent>): { x: number; y: number } | null => {
    const p = e.target.getStage()?.getPointerPosition();
    return p ? { x: p.x / scale, y: p.y / scale } : null;
  };

  return (
    <div
      ref={box}
      className={`relative aspect-square w-full touch-none select-none overflow-hidden rounded-xl bg-white shadow-inner ${editable ? (tool === 'eraser' ? 'cursor-cell' : 'cursor-crosshair') : ''}`}
      data-testid="sketch-canvas"
      role="img"
      aria-label={`${editable ? 'Drawing area' : 'Drawing'}: ${strokes.length} ${strokes.length === 1 ? 'stroke' : 'strokes'}`}
    >
      {side > 0 && (
        <Stage
          width={side}
          height={side}
          scaleX={scale}
          scaleY={scale}
          onPointerDown={(e) => {
            // One pointer draws at a time: a second finger or a resting palm is ignored until it lifts.
            if (!editable || (pointer.current !== null && pointer.current !== e.evt.pointerId)) return;
            const p = position(e);
            if (!p) return;
            pointer.current = e.evt.pointerId;
            // Captured by the stage's own element, which stays (the hover layer's canvas may not).
            e.target.getStage()?.content.setPointerCapture?.(e.evt.pointerId);
            onBegin?.(p.x, p.y);
          }}
          onPointerMove={(e) => {
            const p = position(e);
            if (editable) setHover(p);
            if (p && e.evt.buttons !== 0 && (pointer.current ?? e.evt.pointerId) === e.evt.pointerId)
              onExtend?.(p.x, p.y);
          }}
          onPointerUp={(e) => end(e.evt.pointerId)}
          onPointerLeave={(e) => {
            if (pointer.current === null || pointer.current === e.evt.pointerId) setHover(null);
            end(e.evt.pointerId);
          }}
          onPointerCancel={(e) => end(e.evt.pointerId)}
        >
          <Layer listening={false}>
            <Rect width={CANVAS_SIZE} height={CANVAS_SIZE} fill="#ffffff" />
          </Layer>
          <Layer listening={false}>
            {strokes.map((s, i) => (
              <Line
                key={i}
                points={s.points.length === 2 ? [...s.points, ...s.points] : s.points}
                stroke="#18181b"
                strokeWidth={s.width}
                lineCap="round"
                lineJoin="round"
                tension={0}
                globalCompositeOperation={s.tool === 'eraser' ? 'destination-out' : 'source-over'}
              />
            ))}
          </Layer>
          {hover && editable && (
            <Layer listening={false}>
              <Rect
                x={hover.x - penWidth / 2}
                y={hover.y - penWidth / 2}
                width={penWidth}
                height={penWidth}
                cornerRadius={penWidth / 2}
                stroke={tool === 'eraser' ? '#e11d48' : '#6366f1'}
                strokeWidth={1 / Math.max(scale, 0.01)}
              />
            </Layer>
          )}
        </Stage>
      )}
    </div>
  );
}
