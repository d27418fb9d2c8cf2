/** /gallery: the community gallery of voting winners. */
import { GalleryBrowser } from './GalleryBrowser';
import { roomPage } from '../rooms';

const room = roomPage('gallery', { children: <GalleryBrowser /> });
export const metadata = room.metadata;
export default room.Page;
