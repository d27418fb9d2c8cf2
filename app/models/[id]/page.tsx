/** /models/<id>: one model version: who trained it and when, its charts, assessments, report card and download. */
import type { Metadata } from 'next';
import { ModelVersionView } from './ModelVersionView';

export const metadata: Metadata = { title: 'Model version · Fashion-MNIST Playground' };

export default async function ModelVersionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <ModelVersionView key={id} id={Number(id)} />
    </main>
  );
}
