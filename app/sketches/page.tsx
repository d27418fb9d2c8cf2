/** /sketches: the community sketchbook of drawings people confirmed, by garment. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { SketchGallery } from '../components/draw/SketchGallery';

export const metadata: Metadata = { title: 'Sketchbook · Fashion-MNIST Playground' };

export default function SketchesPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-zinc-50 sm:text-3xl">Sketchbook</h1>
          <p className="mt-1 text-sm text-zinc-400">
            Drawings people made and labelled, as the model sees them. They help the model learn drawings better.
          </p>
        </div>
        <Link
          href="/draw"
          className="rounded-lg bg-indigo-500 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-400"
        >
          Draw one
        </Link>
      </div>
      <SketchGallery />
    </main>
  );
}
