/** /assessments: every stored assessment per model version, with figures and a per-class chart; compare two. */
import { Page } from '../components/Page';
import { AssessmentsView } from './AssessmentsView';

export const metadata = { title: 'Assessments' };

export default function AssessmentsPage() {
  return (
    <Page
      title="Assessments"
      intro={
        <>
          Every evaluation stored by <code>npm run eval:cnn -- --save</code>, <code>npm run assess</code> or a finished
          session, per model version. Tick two to compare them side by side.
        </>
      }
    >
      <AssessmentsView />
    </Page>
  );
}
