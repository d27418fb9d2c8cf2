/** /sketches: the community sketchbook of drawings people confirmed, by garment. */
import Link from 'next/link';
import { SketchGallery } from '../components/draw/SketchGallery';
import { roomPage } from '../rooms';

const room = roomPage('sketches', {
  actions: (
    <Link
      href="/draw"
      className="rounded-lg bg-indigo-500 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-400"
    >
      Draw one
    </Link>
  ),
  children: <SketchGallery />,
});
export const metadata = room.metadata;
export default room.Page;
