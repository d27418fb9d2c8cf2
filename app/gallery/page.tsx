/** /gallery: the community gallery of voting winners. */
import { GalleryBrowser } from './GalleryBrowser';

export const metadata = { title: 'Community gallery' };

export default function GalleryPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold text-zinc-50">Community gallery</h1>
      <p className="mt-2 text-sm text-zinc-400">
        Garments the community voted into the gallery.{' '}
        <a className="text-indigo-300 underline" href="/vote">
          Vote on new ones
        </a>{' '}
        ·{' '}
        <a className="text-indigo-300 underline" href="/collections">
          collections
        </a>
      </p>
      <GalleryBrowser />
    </main>
  );
}
