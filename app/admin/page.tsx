/** /admin: the operator's moderation page (hide and show again gallery items, drawings, collections, nicknames). */
import { ModerationPanel } from './ModerationPanel';
import { roomPage } from '../rooms';

const room = roomPage('admin', { children: <ModerationPanel /> });
export const metadata = room.metadata;
export default room.Page;
