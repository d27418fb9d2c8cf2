/** /gallery: the community gallery of voting winners. */
import { Page } from '../components/Page';
import { GalleryBrowser } from './GalleryBrowser';

export const metadata = { title: 'Community gallery' };

export default function GalleryPage() {
  return (
    <Page
      title="Community gallery"
      intro={
        <>
          Garments the community voted into the gallery.{' '}
          <a className="text-indigo-300 underline" href="/vote">
            Vote on new ones
          </a>{' '}
          ·{' '}
          <a className="text-indigo-300 underline" href="/collections">
            collections
          </a>
        </>
      }
    >
      <GalleryBrowser />
    </Page>
  );
}
