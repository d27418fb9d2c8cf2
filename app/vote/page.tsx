/** /vote: the community votes on generated garments; winners go to the gallery. */
import { Page } from '../components/Page';
import { VoteRoom } from './VoteRoom';

export const metadata = { title: 'Vote on generated garments' };

export default function VotePage() {
  return (
    <Page
      title="Vote on generated garments"
      intro={
        <>
          The VAE draws candidates (each the best of several, as judged by the CNN). Keep or discard them; when the
          round closes, the best go to the{' '}
          <a className="text-indigo-300 underline" href="/gallery">
            gallery
          </a>{' '}
          and the next round is bred from them.
        </>
      }
    >
      <VoteRoom room="vote" />
    </Page>
  );
}
