/** /sketches: the community sketchbook of drawings people confirmed, by garment. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { SketchGallery } from '../components/draw/SketchGallery';
import { Page } from '../components/Page';

export const metadata: Metadata = { title: 'Sketchbook' };

export default function SketchesPage() {
  return (
    <Page
      title="Sketchbook"
      intro="Drawings people made and labelled, as the model sees them. They help the model learn drawings better."
      actions={
        <Link
          href="/draw"
          className="rounded-lg bg-indigo-500 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-400"
        >
          Draw one
        </Link>
      }
    >
      <SketchGallery />
    </Page>
  );
}
