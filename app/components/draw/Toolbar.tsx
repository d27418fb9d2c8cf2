/** Drawing tools: pen or eraser, pen width, undo, redo and clear, with their keyboard shortcuts. */
'use client';

import type { ReactNode } from 'react';
import type { Tool } from './useStrokeHistory';

interface ToolbarProps {
  tool: Tool;
  onTool: (t: Tool) => void;
  penWidth: number;
  onPenWidth: (w: number) => void;
  canUndo: boolean;
  canRedo: boolean;
  canClear: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onClear: () => void;
}

export function Toolbar(p: ToolbarProps) {
  return (
    <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Drawing tools">
      <div className="flex overflow-hidden rounded-lg border border-zinc-700">
        <Toggle active={p.tool === 'pen'} onClick={() => p.onTool('pen')} title="Pen (P)">
          Pen
        </Toggle>
        <Toggle active={p.tool === 'eraser'} onClick={() => p.onTool('eraser')} title="Eraser (E)">
          Eraser
        </Toggle>
      </div>
      <label
        className="flex items-center gap-2 rounded-lg border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300"
        title="Width ([ and ])"
      >
        <span className="sr-only sm:not-sr-only">Width</span>
        <input
          type="range"
          min={4}
          max={32}
          step={2}
          value={p.penWidth}
          onChange={(e) => p.onPenWidth(Number(e.target.value))}
          className="w-24 accent-indigo-400"
          aria-label="Pen width"
        />
        <span className="w-5 text-right tabular-nums text-zinc-400">{p.penWidth}</span>
      </label>
      <div className="ml-auto flex gap-2">
        <Button onClick={p.onUndo} disabled={!p.canUndo} title="Undo (Ctrl+Z)">
          Undo
        </Button>
        <Button onClick={p.onRedo} disabled={!p.canRedo} title="Redo (Ctrl+Shift+Z or Ctrl+Y)">
          Redo
        </Button>
        <Button onClick={p.onClear} disabled={!p.canClear} title="Clear (Delete)">
          Clear
        </Button>
      </div>
    </div>
  );
}

function Toggle({
  active,
  onClick,
  title,
  children,
}: {
  active: boolean;
  onClick: () => void;
  title: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      title={title}
      aria-pressed={active}
      className={`px-3 py-1.5 text-sm font-medium transition-colors ${active ? 'bg-indigo-500 text-white' : 'text-zinc-300 hover:bg-zinc-800'}`}
    >
      {children}
    </button>
  );
}

export function Button({
  onClick,
  disabled,
  title,
  children,
  primary = false,
}: {
  onClick: () => void;
  disabled?: boolean;
  title?: string;
  children: ReactNode;
  primary?: boolean;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      title={title}
      className={`rounded-lg px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-40 ${
        primary
          ? 'bg-indigo-500 text-white hover:bg-indigo-400'
          : 'border border-zinc-700 text-zinc-200 hover:bg-zinc-800'
      }`}
    >
      {children}
    </button>
  );
}
