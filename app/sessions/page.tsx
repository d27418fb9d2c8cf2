/** /sessions: the lobby of live training sessions, and where to start one. */
import { SessionLobby } from '../components/training/SessionLobby';
import { roomPage } from '../rooms';

const room = roomPage('sessions', { children: <SessionLobby /> });
export const metadata = room.metadata;
export default room.Page;
