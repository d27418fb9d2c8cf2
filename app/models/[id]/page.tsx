/** /models/<id>: one model version: who trained it and when, its charts, assessments, report card and download. */
import type { Metadata } from 'next';
import { Page } from '../../components/Page';
import { ModelVersionView } from './ModelVersionView';

export const metadata: Metadata = { title: 'Model version' };

export default async function ModelVersionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Page>
      <ModelVersionView key={id} id={Number(id)} />
    </Page>
  );
}
