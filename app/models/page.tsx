/** /models: every trained model version (committed, from a CLI, or from a finished session), newest first. */
import { Page } from '../components/Page';
import { ModelsIndex } from './ModelsIndex';

export const metadata = { title: 'Models' };

export default function ModelsPage() {
  return (
    <Page
      title="Models"
      intro={
        <>
          Every trained model is a version you can pick: recognizers (CNN) on{' '}
          <a className="text-indigo-300 hover:underline" href="/draw">
            Draw
          </a>
          , generators (VAE) on{' '}
          <a className="text-indigo-300 hover:underline" href="/vote">
            Vote
          </a>
          . Only the operator changes which one is served by default.
        </>
      }
    >
      <ModelsIndex />
    </Page>
  );
}
