/** /sessions: the lobby of live training sessions, and where to start one. */
import type { Metadata } from 'next';
import { SessionLobby } from '../components/training/SessionLobby';

export const metadata: Metadata = { title: 'Train together · Fashion-MNIST Playground' };

export default function SessionsPage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <div className="mb-8 max-w-3xl">
        <h1 className="text-2xl font-semibold tracking-tight text-zinc-50 sm:text-3xl">Train together</h1>
        <p className="mt-2 text-sm leading-relaxed text-zinc-400">
          Start a training session and share its link: everyone who opens it watches the same model learn, live, batch
          by batch. The host starts, pauses and stops it; when it finishes, the model is kept and the session can be
          replayed.
        </p>
      </div>
      <SessionLobby />
    </main>
  );
}
