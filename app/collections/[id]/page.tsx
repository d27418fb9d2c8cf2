/** /collections/<id>: one collection (the share link); its owner can edit it here. */
import { CollectionEditor } from './CollectionEditor';

export default async function CollectionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <a className="text-sm text-indigo-300 underline" href="/collections">
        ← Collections
      </a>
      <CollectionEditor id={id} />
    </main>
  );
}
