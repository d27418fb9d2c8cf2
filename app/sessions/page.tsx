/** /sessions: the lobby of live training sessions, and where to start one. */
import type { Metadata } from 'next';
import { Page } from '../components/Page';
import { SessionLobby } from '../components/training/SessionLobby';

export const metadata: Metadata = { title: 'Train together' };

export default function SessionsPage() {
  return (
    <Page
      title="Train together"
      intro="Start a training session and share its link: everyone who opens it watches the same model learn, live, batch by batch. The host starts, pauses and stops it; when it finishes, the model is kept and the session can be replayed."
    >
      <SessionLobby />
    </Page>
  );
}
