/** /draw: draw a garment and watch the model guess while you draw. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { DrawStudio } from '../components/draw/DrawStudio';
import { Page } from '../components/Page';

export const metadata: Metadata = { title: 'Draw a garment' };

export default function DrawPage() {
  return (
    <Page
      title="Draw a garment"
      intro="Draw with a mouse, a finger or a pen. The model guesses while you draw."
      actions={
        <nav className="flex gap-4 text-sm">
          <Link href="/draw/together" className="text-indigo-300 hover:underline">
            Draw together
          </Link>
          <Link href="/sketches" className="text-indigo-300 hover:underline">
            Sketchbook
          </Link>
        </nav>
      }
    >
      <DrawStudio />
      <p className="mt-8 text-xs text-zinc-500">
        Shortcuts: <kbd>P</kbd> pen, <kbd>E</kbd> eraser, <kbd>[</kbd> <kbd>]</kbd> width, <kbd>Ctrl</kbd>+<kbd>Z</kbd>{' '}
        undo, <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo, <kbd>Delete</kbd> clear.
      </p>
    </Page>
  );
}
