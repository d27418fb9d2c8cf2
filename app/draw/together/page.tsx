/** /draw/together: a shared drawing room; ?room=name picks the room. */
import type { Metadata } from 'next';
import { DrawRoom } from '../../components/draw/DrawRoom';
import { Page } from '../../components/Page';

export const metadata: Metadata = { title: 'Draw together' };

export default async function DrawTogetherPage({ searchParams }: { searchParams: Promise<{ room?: string }> }) {
  const { room } = await searchParams;
  const initialRoom = typeof room === 'string' && /^[a-z0-9-]{1,32}$/.test(room) ? room : 'atelier';
  return (
    <Page
      title="Draw together"
      intro="One person draws a secret garment; the others watch it appear and race the model to name it."
    >
      <DrawRoom initialRoom={initialRoom} />
    </Page>
  );
}
