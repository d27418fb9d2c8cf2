/** /models: every trained model version (committed, from a CLI, or from a finished session), newest first. */
import { ModelsIndex } from './ModelsIndex';

export const metadata = { title: 'Models · Fashion-MNIST Playground' };

export default function ModelsPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold text-zinc-50">Models</h1>
      <p className="mt-2 text-sm text-zinc-400">
        Every trained model is a version you can pick: recognizers (CNN) on <a className="text-indigo-300 hover:underline" href="/draw">Draw</a>,
        generators (VAE) on <a className="text-indigo-300 hover:underline" href="/vote">Vote</a>. Only the operator changes which one is served by default.
      </p>
      <ModelsIndex />
    </main>
  );
}
