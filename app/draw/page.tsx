/** /draw: draw a garment and watch the model guess while you draw. */
import Link from 'next/link';
import { DrawStudio } from '../components/draw/DrawStudio';
import { roomPage } from '../rooms';

const room = roomPage('draw', {
  actions: (
    <nav className="flex gap-4 text-sm">
      <Link href="/draw/together" className="text-indigo-300 hover:underline">
        Draw together
      </Link>
      <Link href="/sketches" className="text-indigo-300 hover:underline">
        Sketchbook
      </Link>
    </nav>
  ),
  children: (
    <>
      <DrawStudio />
      <p className="mt-8 text-xs text-zinc-500">
        Shortcuts: <kbd>P</kbd> pen, <kbd>E</kbd> eraser, <kbd>[</kbd> <kbd>]</kbd> width, <kbd>Ctrl</kbd>+<kbd>Z</kbd>{' '}
        undo, <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo, <kbd>Delete</kbd> clear.
      </p>
    </>
  ),
});
export const metadata = room.metadata;
export default room.Page;
