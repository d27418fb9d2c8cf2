/**
 * Voting inside a live VAE session (issue 19): the session's host opens a round on candidates
 * generated from the session's current weights (the snapshot its training run wrote after its
 * latest finished epoch, in the generator worker, best-of-N judged by the served CNN exactly as on
 * /vote) and closes it. The round lives in the voting room named by the session id, so viewers
 * join it, vote and see tallies with the ordinary voting events (voting/handlers.ts); winners go to
 * the gallery with the session and epoch they came from.
 */
import { UserFacingError } from '../../errors';
import { requireGuest } from '../../identity';
import type { Limits } from '../../limits';
import { actorOf } from '../actor';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import type { AttachedVoting } from '../voting/handlers';
import { assertHost, guestIdentity } from './identity';
import type { SessionRegistry } from './registry';
import type { TrainingSession } from './session';

export function attachSessionVoting(
  io: PlaygroundServer,
  registry: SessionRegistry,
  voting: Pick<AttachedVoting, 'rooms' | 'closeRound'>,
  limits: Limits,
): () => void {
  const { rooms } = voting;
  const find = async (sessionId: string): Promise<TrainingSession> => {
    const session = await registry.get(sessionId);
    if (!session)
      throw new UserFacingError(`There is no session ${sessionId}; check the link or pick a session in the lobby.`);
    return session;
  };

  // A session's voting room is its own: nobody opens rounds there from the /vote controls.
  const previous = rooms.reservedRoom;
  rooms.reservedRoom = async (room) =>
    (await registry.get(room).catch(() => undefined))
      ? `Room ${room} is a training session's; only its host opens rounds there, from the session page.`
      : previous(room);

  const onConnection = (socket: PlaygroundSocket): void => {
    onRequest(socket, 'session:vote:open', async ({ sessionId, ...options }) => {
      const session = await find(sessionId);
      if (session.config.kind !== 'vae') {
        throw new UserFacingError(
          'Voting rounds are for VAE sessions: a CNN session generates no garments to vote on.',
        );
      }
      const guest = requireGuest(socket);
      assertHost(session, guestIdentity(guest.id), 'open a voting round in', registry.shownNickname);
      // Each round is a best-of-N generation on the shared generator: counted with /vote's rounds.
      await limits.take('voteStart', actorOf(socket));
      const snapshot = await registry.latestSnapshot(session);
      if (!snapshot)
        throw new UserFacingError(
          'Wait until the first epoch has finished: the candidates come from the weights it leaves.',
        );
      const round = await rooms.start(sessionId, guest, options, {
        sessionId,
        epoch: snapshot.epoch,
        vaeDir: snapshot.dir,
        modelVersionId: session.modelVersionId,
      });
      return { round };
    });

    onRequest(socket, 'session:vote:close', async ({ sessionId }) => {
      const session = await find(sessionId);
      const guest = requireGuest(socket);
      assertHost(session, guestIdentity(guest.id), 'close the voting round of', registry.shownNickname);
      // With several machines the round may be held by another node: closed there (voting/forwarding.ts).
      const open = await rooms.openRoundId(sessionId);
      if (open === null) throw new UserFacingError('There is no open voting round in this session.');
      return voting.closeRound(open, socket);
    });
  };

  io.on('connection', onConnection);
  return () => {
    io.off('connection', onConnection);
    rooms.reservedRoom = previous;
  };
}
