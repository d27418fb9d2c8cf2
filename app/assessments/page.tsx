/** /assessments: every stored assessment per model version, with figures and a per-class chart; compare two. */
import { AssessmentsView } from './AssessmentsView';

export const metadata = { title: 'Assessments' };

export default function AssessmentsPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold text-zinc-50">Assessments</h1>
      <p className="mt-2 text-sm text-zinc-400">
        Every evaluation stored by <code>npm run eval:cnn -- --save</code>, <code>npm run assess</code> or a finished
        session, per model version. Tick two to compare them side by side.
      </p>
      <AssessmentsView />
    </main>
  );
}
