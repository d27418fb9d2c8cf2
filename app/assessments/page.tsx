/** /assessments: every stored assessment per model version, with figures and a per-class chart; compare two. */
import { AssessmentsView } from './AssessmentsView';
import { roomPage } from '../rooms';

const room = roomPage('assessments', { children: <AssessmentsView /> });
export const metadata = room.metadata;
export default room.Page;
