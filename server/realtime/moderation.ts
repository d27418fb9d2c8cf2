/**
 * The operator's moderation requests over Socket.IO (`admin:hide`, `admin:hidden`, checked against
 * ADMIN_TOKEN by server/admin.ts) and the `moderation:changed` push to every connection, so hidden
 * content disappears from every open page at once.
 */
import { checkAdmin } from '../admin';
import type { Moderation } from '../moderation';
import type { Limits } from '../limits';
import { actorOf } from './actor';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from './requests';

export function attachModeration(
  io: PlaygroundServer,
  moderation: Moderation,
  adminToken: string | undefined,
  limits: Limits,
): () => void {
  const onConnection = (socket: PlaygroundSocket) => {
    // Wrong tokens are counted like a write, so the token cannot be guessed at socket speed.
    const admin = async (token: string) => {
      await limits.take('collectionWrite', actorOf(socket));
      checkAdmin(token, adminToken);
    };
    onRequest(socket, 'admin:hide', async ({ token, target, hidden }) => {
      await admin(token);
      await moderation.set(target.kind, target.id, hidden);
      io.emit('moderation:changed', { kind: target.kind, id: target.id, hidden });
      return { hidden: moderation.list() };
    });
    onRequest(socket, 'admin:hidden', async ({ token }) => {
      await admin(token);
      await moderation.ready();
      return { hidden: moderation.list() };
    });
  };
  io.on('connection', onConnection);
  return () => io.off('connection', onConnection);
}
