/** /collections: your collections (create one) and everyone's public ones. */
import { Page } from '../components/Page';
import { CollectionsIndex } from './CollectionsIndex';

export const metadata = { title: 'Collections' };

export default function CollectionsPage() {
  return (
    <Page title="Collections">
      <CollectionsIndex />
    </Page>
  );
}
