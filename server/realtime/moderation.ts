/**
 * The operator's moderation requests over Socket.IO (`admin:hide`, `admin:hidden`, checked against
 * ADMIN_TOKEN by server/admin.ts) and the `moderation:changed` push to every connection, so hidden
 * content disappears from every open page at once. With several web nodes, the other nodes are
 * told too (their caches and their live views follow; server/moderation.ts `changed`).
 */
import { z } from 'zod';
import { HideableKindSchema } from '../../lib/protocol';
import { checkAdmin } from '../admin';
import type { Moderation, ModerationChange } from '../moderation';
import type { Limits } from '../limits';
import { actorOf } from './actor';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from './requests';

const SYNC_EVENT = 'moderation:sync';
const ChangeSchema = z
  .object({ kind: HideableKindSchema, id: z.string().min(1).max(64), hidden: z.boolean() })
  .strict();

/** The server-to-server side of Socket.IO, which the playground's typed server does not declare. */
interface ServerSide {
  on(event: string, listener: (message: unknown) => void): void;
  off(event: string, listener: (message: unknown) => void): void;
  serverSideEmit(event: string, message: unknown): void;
}

/**
 * `severalNodes`: the server has an adapter to other web nodes (Redis); a change made here is sent
 * to them, and theirs are applied here.
 */
export function attachModeration(
  io: PlaygroundServer,
  moderation: Moderation,
  adminToken: string | undefined,
  limits: Limits,
  severalNodes = false,
): () => void {
  const serverSide = io as unknown as ServerSide;
  const tellPages = (change: ModerationChange) =>
    // A hidden nickname's text is not repeated to every page: pages get the live views again instead.
    io.emit('moderation:changed', {
      kind: change.kind,
      id: change.kind === 'nickname' ? '' : change.id,
      hidden: change.hidden,
    });

  const onConnection = (socket: PlaygroundSocket) => {
    // Wrong tokens are counted like a write, so the token cannot be guessed at socket speed.
    const admin = async (token: string) => {
      await limits.take('collectionWrite', actorOf(socket));
      checkAdmin(token, adminToken);
    };
    onRequest(socket, 'admin:hide', async ({ token, target, hidden }) => {
      await admin(token);
      const change = await moderation.set(target.kind, target.id, hidden);
      if (severalNodes) serverSide.serverSideEmit(SYNC_EVENT, change);
      tellPages(change);
      return { hidden: moderation.list() };
    });
    onRequest(socket, 'admin:hidden', async ({ token }) => {
      await admin(token);
      await moderation.ready();
      return { hidden: moderation.list() };
    });
  };
  const onSync = (message: unknown) => {
    const change = ChangeSchema.safeParse(message);
    if (change.success) moderation.applyElsewhere(change.data);
    else console.error(`[moderation] ignored a malformed change from another node: ${change.error.message}`);
  };
  io.on('connection', onConnection);
  if (severalNodes) serverSide.on(SYNC_EVENT, onSync);
  return () => {
    io.off('connection', onConnection);
    if (severalNodes) serverSide.off(SYNC_EVENT, onSync);
  };
}
