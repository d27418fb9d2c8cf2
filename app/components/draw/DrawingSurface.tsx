/**
 * The drawing surface both drawing pages share: the toolbar (pen, eraser, width, undo, redo,
 * clear) over the Konva canvas, wired to one stroke history, and the notice when a drawing reaches
 * the protocol's size limit. The page keeps the history and the tool state, since it also feeds
 * them to recognition and keyboard shortcuts.
 */
'use client';

import { DrawingCanvas } from './DrawingCanvas';
import { Toolbar } from './Toolbar';
import type { StrokeHistory, Tool } from './useStrokeHistory';

export interface DrawingSurfaceProps {
  history: StrokeHistory;
  tool: Tool;
  onTool: (tool: Tool) => void;
  penWidth: number;
  onPenWidth: (width: number) => void;
}

export function DrawingSurface({ history, tool, onTool, penWidth, onPenWidth }: DrawingSurfaceProps) {
  return (
    <>
      <Toolbar
        tool={tool}
        onTool={onTool}
        penWidth={penWidth}
        onPenWidth={onPenWidth}
        canUndo={history.canUndo}
        canRedo={history.canRedo}
        canClear={history.strokes.length > 0}
        onUndo={history.undo}
        onRedo={history.redo}
        onClear={history.clear}
      />
      <div className="mx-auto mt-3 max-w-[34rem]">
        <DrawingCanvas
          strokes={history.strokes}
          tool={tool}
          penWidth={penWidth}
          onBegin={(x, y) => history.begin(x, y, tool, penWidth)}
          onExtend={history.extend}
          onEnd={history.end}
        />
        {history.full && (
          <p role="alert" className="mt-2 text-sm text-amber-300">
            This drawing has reached the size limit; undo or clear to draw more.
          </p>
        )}
      </div>
    </>
  );
}
