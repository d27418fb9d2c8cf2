/** /collections: your collections (create one) and everyone's public ones. */
import { CollectionsIndex } from './CollectionsIndex';
import { roomPage } from '../rooms';

const room = roomPage('collections', { children: <CollectionsIndex /> });
export const metadata = room.metadata;
export default room.Page;
