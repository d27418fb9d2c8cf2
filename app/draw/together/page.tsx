/** /draw/together: a shared drawing room; ?room=name picks the room. */
import { DrawRoom } from '../../components/draw/DrawRoom';
import { roomPage } from '../../rooms';

const room = roomPage('drawTogether', ({ room }) => ({
  children: <DrawRoom initialRoom={typeof room === 'string' && /^[a-z0-9-]{1,32}$/.test(room) ? room : 'atelier'} />,
}));
export const metadata = room.metadata;
export default room.Page;
