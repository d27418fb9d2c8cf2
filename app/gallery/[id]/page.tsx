/** /gallery/<id>: one gallery item at a useful size, its latent vector, votes, lineage and "more like this". */
import { Page } from '../../components/Page';
import { GalleryItemView } from './GalleryItemView';

export default async function GalleryItemPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Page back={{ href: '/gallery', label: 'Gallery' }}>
      <GalleryItemView id={Number(id)} />
    </Page>
  );
}
