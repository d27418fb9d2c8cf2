/** /models: every trained model version (committed, from a CLI, or from a finished session), newest first. */
import { ModelsIndex } from './ModelsIndex';
import { roomPage } from '../rooms';

const room = roomPage('models', { children: <ModelsIndex /> });
export const metadata = room.metadata;
export default room.Page;
