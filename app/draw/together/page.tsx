/** /draw/together: a shared drawing room; ?room=name picks the room. */
import type { Metadata } from 'next';
import { DrawRoom } from '../../components/draw/DrawRoom';
import { Page } from '../../components/Page';
import { ROOMS } from '../../rooms';

const { title, intro } = ROOMS.drawTogether;

export const metadata: Metadata = { title };

export default async function DrawTogetherPage({ searchParams }: { searchParams: Promise<{ room?: string }> }) {
  const { room } = await searchParams;
  const initialRoom = typeof room === 'string' && /^[a-z0-9-]{1,32}$/.test(room) ? room : 'atelier';
  return (
    <Page title={title} intro={intro}>
      <DrawRoom initialRoom={initialRoom} />
    </Page>
  );
}
