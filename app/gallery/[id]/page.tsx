/** /gallery/<id>: one gallery item at a useful size, its latent vector, votes, lineage and "more like this". */
import { GalleryItemView } from './GalleryItemView';

export default async function GalleryItemPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <a className="text-sm text-indigo-300 underline" href="/gallery">
        ← Gallery
      </a>
      <GalleryItemView id={Number(id)} />
    </main>
  );
}
