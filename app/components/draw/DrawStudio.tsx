/**
 * The /draw page's studio: the canvas with its tools (pen, eraser, width, undo, redo, clear, and
 * their keyboard shortcuts), the model's live guess beside it with the 28x28 image it sees, and
 * saving the drawing once its author confirms or corrects the label.
 */
'use client';

import { useCallback, useEffect, useState } from 'react';
import type { Stroke } from '../../../lib/sketch/preprocess';
import { request } from '../../realtime/socket';
import { ModelPicker } from '../models/ModelPicker';
import { DrawingSurface } from './DrawingSurface';
import { GuessHeadline } from './GuessHeadline';
import { ModelView } from './ModelView';
import { ProbabilityBars } from './ProbabilityBars';
import { SavePanel } from './SavePanel';
import { useRecognition } from './useRecognition';
import { useSketchPad } from './useSketchPad';

export function DrawStudio() {
  const { history, tool, setTool, penWidth, setPenWidth, image } = useSketchPad();
  const [modelVersionId, setModelVersionId] = useState<number | null>(null);
  const send = useCallback(
    (strokes: Stroke[]) => request('draw:recognize', { strokes, modelVersionId }),
    [modelVersionId],
  );
  const live = useRecognition(history.strokes, image !== null, { send, penDown: history.drawing });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      // Typing in a field, or picking from a menu by its letters, is not a shortcut.
      if (target && (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable)) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z') (e.shiftKey ? history.redo : history.undo)();
      else if (mod && key === 'y') history.redo();
      else if (mod) return;
      else if (key === 'p' || key === 'b') setTool('pen');
      else if (key === 'e') setTool('eraser');
      else if (key === '[') setPenWidth((w) => Math.max(4, w - 2));
      else if (key === ']') setPenWidth((w) => Math.min(32, w + 2));
      // Clearing is a shortcut only with nothing focused (or the canvas): Backspace on a focused
      // button or label choice must not wipe the drawing.
      else if (key === 'delete' || key === 'backspace') {
        if (target?.closest('button, a, [role="radio"]')) return;
        history.clear();
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [history.undo, history.redo, history.clear, setTool, setPenWidth]);

  const empty = image === null;
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section aria-label="Canvas" className="min-w-0">
        {/* On a phone the guess sits above the canvas, where a drawing finger does not hide it. */}
        <div className="mb-3 flex items-center justify-between gap-3 lg:hidden">
          <GuessHeadline empty={empty} result={live.result} compact />
          <ModelView image={image} size={56} testId="model-view-compact" />
        </div>
        <DrawingSurface history={history} tool={tool} onTool={setTool} penWidth={penWidth} onPenWidth={setPenWidth} />
      </section>

      <aside aria-label="What the model thinks" className="space-y-5">
        <ModelPicker kind="cnn" value={modelVersionId} onChange={setModelVersionId} />
        <div className="hidden lg:block">
          <GuessHeadline empty={empty} result={live.result} />
        </div>
        {live.error && (
          <p
            role="alert"
            className="rounded-lg border border-rose-500/30 bg-rose-500/10 px-3 py-2 text-sm text-rose-200"
          >
            {live.error}
          </p>
        )}
        <ProbabilityBars probabilities={empty ? null : (live.result?.probabilities ?? null)} dimmed={live.busy} />
        <div className="hidden items-center gap-4 lg:flex">
          <ModelView image={image} />
          <p className="text-xs leading-relaxed text-zinc-500">
            What the model sees: your drawing cropped, scaled to 28×28 pixels and centred, bright on black like the
            Fashion-MNIST photos.
            {live.result && (
              <span data-testid="model-version-tag" className="mt-1 block font-mono text-[11px] text-zinc-600">
                {live.result.modelVersion}
              </span>
            )}
          </p>
        </div>
        <SavePanel
          strokes={history.strokes}
          guess={empty ? null : (live.result?.guess ?? null)}
          modelVersionId={modelVersionId}
        />
      </aside>
    </div>
  );
}
