/** /sessions/<id>: one training session, live or replayed; the URL is what people share. */
import type { Metadata } from 'next';
import { SessionView } from '../../components/training/SessionView';

export const metadata: Metadata = { title: 'Training session' };

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionView key={id} sessionId={id} />;
}
