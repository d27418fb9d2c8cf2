/** /collections: your collections (create one) and everyone's public ones. */
import { CollectionsIndex } from './CollectionsIndex';

export const metadata = { title: 'Collections' };

export default function CollectionsPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold text-zinc-50">Collections</h1>
      <CollectionsIndex />
    </main>
  );
}
