/** /collections/<id>: one collection (the share link); its owner can edit it here. */
import { Page } from '../../components/Page';
import { CollectionEditor } from './CollectionEditor';

export default async function CollectionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Page back={{ href: '/collections', label: 'Collections' }}>
      <CollectionEditor id={id} />
    </Page>
  );
}
