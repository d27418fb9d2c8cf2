/** /draw: draw a garment and watch the model guess while you draw. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { DrawStudio } from '../components/draw/DrawStudio';

export const metadata: Metadata = { title: 'Draw a garment · Fashion-MNIST Playground' };

export default function DrawPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-zinc-50 sm:text-3xl">Draw a garment</h1>
          <p className="mt-1 text-sm text-zinc-400">
            Draw with a mouse, a finger or a pen. The model guesses while you draw.
          </p>
        </div>
        <nav className="flex gap-4 text-sm">
          <Link href="/draw/together" className="text-indigo-300 hover:underline">
            Draw together
          </Link>
          <Link href="/sketches" className="text-indigo-300 hover:underline">
            Sketchbook
          </Link>
        </nav>
      </div>
      <DrawStudio />
      <p className="mt-8 text-xs text-zinc-500">
        Shortcuts: <kbd>P</kbd> pen, <kbd>E</kbd> eraser, <kbd>[</kbd> <kbd>]</kbd> width, <kbd>Ctrl</kbd>+<kbd>Z</kbd>{' '}
        undo, <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo, <kbd>Delete</kbd> clear.
      </p>
    </main>
  );
}
