/** /admin: the operator's moderation page (hide and show again gallery items, drawings, collections, nicknames). */
import type { Metadata } from 'next';
import { ModerationPanel } from './ModerationPanel';

export const metadata: Metadata = { title: 'Moderation · Fashion-MNIST Playground', robots: { index: false } };

export default function AdminPage() {
  return (
    <main className="mx-auto max-w-3xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-50">Moderation</h1>
      <p className="mt-1 text-sm text-zinc-400">
        For the operator (the server&apos;s ADMIN_TOKEN). Hidden things disappear from every page at once; nothing is
        deleted, and showing one again brings it back.
      </p>
      <ModerationPanel />
    </main>
  );
}
