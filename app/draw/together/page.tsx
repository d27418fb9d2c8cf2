/** /draw/together: a shared drawing room; ?room=name picks the room. */
import type { Metadata } from 'next';
import { DrawRoom } from '../../components/draw/DrawRoom';

export const metadata: Metadata = { title: 'Draw together · Fashion-MNIST Playground' };

export default async function DrawTogetherPage({ searchParams }: { searchParams: Promise<{ room?: string }> }) {
  const { room } = await searchParams;
  const initialRoom = typeof room === 'string' && /^[a-z0-9-]{1,32}$/.test(room) ? room : 'atelier';
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-50 sm:text-3xl">Draw together</h1>
      <p className="mb-6 mt-1 text-sm text-zinc-400">
        One person draws a secret garment; the others watch it appear and race the model to name it.
      </p>
      <DrawRoom initialRoom={initialRoom} />
    </main>
  );
}
