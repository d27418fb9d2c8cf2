/** /vote: the community votes on generated garments; winners go to the gallery. */
import { VoteRoom } from './VoteRoom';
import { roomPage } from '../rooms';

const room = roomPage('vote', { children: <VoteRoom room="vote" /> });
export const metadata = room.metadata;
export default room.Page;
