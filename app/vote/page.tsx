/** /vote: the community votes on generated garments; winners go to the gallery. */
import { VoteRoom } from './VoteRoom';

export const metadata = { title: 'Vote on generated garments' };

export default function VotePage() {
  return (
    <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
      <h1 className="text-2xl font-semibold text-zinc-50">Vote on generated garments</h1>
      <p className="mt-2 max-w-3xl text-sm text-zinc-400">
        The VAE draws candidates (each the best of several, as judged by the CNN). Keep or discard them; when the round
        closes, the best go to the{' '}
        <a className="text-indigo-300 underline" href="/gallery">
          gallery
        </a>{' '}
        and the next round is bred from them.
      </p>
      <VoteRoom room="vote" />
    </main>
  );
}
