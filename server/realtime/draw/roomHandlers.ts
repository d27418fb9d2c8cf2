/**
 * The shared drawing rooms' requests on every connection: join, leave, start a round, draw, guess.
 * The rules are in rooms.ts; this module checks limits and moderation, and broadcasts what changed
 * to the room's channel. With several web nodes, a room's requests run on the node that holds it
 * (forwarding.ts), and that node drops the players whose node went away without a word.
 */
import { UserFacingError } from '../../errors';
import type { Limits } from '../../limits';
import { Moderation, type ModerationChange } from '../../moderation';
import type { RecognizerChoice } from '../../recognition/versions';
import type { Stroke } from '../../../lib/sketch/preprocess';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import { callerOf, RoomRouter, type ClusterRooms, type RoomHandlers } from './forwarding';
import type { DrawingRooms } from './rooms';

/** How often a room's node looks for players whose connection is on no node any more. */
export const PLAYER_CHECK_MS = 10_000;

export interface RoomServices {
  rooms: DrawingRooms;
  limits: Limits;
  moderation: Moderation;
  /** The recognizer that guesses a room's drawing (the drawer's pick, or the served default). */
  choice: RecognizerChoice;
  /** Several machines: rooms owned in Redis and requests forwarded to their node; null in one process. */
  cluster: ClusterRooms | null;
  /** Default PLAYER_CHECK_MS. */
  playerCheckMs?: number;
}

export interface AttachedRooms {
  /** Registers the room requests of one connection. */
  connect(socket: PlaygroundSocket): void;
  detach(): void;
}

const roomChannel = (roomId: string): string => `draw-room:${roomId}`;

/** Drawing rooms one connection may be in at once (a page shows one; a few tabs' worth of slack). */
export const MAX_ROOMS_PER_CONNECTION = 4;

/** A drawing's points, what its recognition costs (counted by the `recognizePoints` limit); at least 1. */
export const pointsIn = (strokes: readonly Stroke[]): number =>
  Math.max(
    1,
    strokes.reduce((n, s) => n + s.points.length / 2, 0),
  );

export function attachRoomHandlers(io: PlaygroundServer, services: RoomServices): AttachedRooms {
  const { rooms, limits, moderation, choice, cluster } = services;
  const toRoom = (roomId: string) => io.to(roomChannel(roomId));

  /** Takes a connection out of a room held here; an emptied room frees its name for every node. */
  async function leaveRoom(roomId: string, socketId: string): Promise<void> {
    const state = rooms.leave(roomId, socketId);
    if (state) toRoom(roomId).emit('room:state', state);
    else await router.emptied(roomId);
  }

  // A room's requests, wherever they arrived (they run where the room is: forwarding.ts). The
  // caller is left out of the broadcasts whose news its reply carries.
  const handlers: RoomHandlers = {
    'room:join': async ({ roomId, nickname }, caller) => {
      await moderation.ready();
      // The guest cookie's nickname when there is one (the one identity), else the one typed.
      const name = caller.guestNickname ?? nickname;
      if (moderation.isHidden('nickname', name))
        throw new UserFacingError('That nickname was hidden by a moderator; choose another one.');
      const joined = rooms.join(roomId, caller.socketId, name);
      toRoom(roomId).except(caller.socketId).emit('room:state', joined.state);
      return joined;
    },
    'room:leave': async ({ roomId }, caller) => {
      await leaveRoom(roomId, caller.socketId);
      return {};
    },
    'room:start': async ({ roomId }, caller) => {
      await limits.take('roomStart', caller.actor);
      const started = rooms.start(roomId, caller.socketId);
      toRoom(roomId).emit('room:state', started.state);
      toRoom(roomId).emit('room:drawing', started.drawing);
      return { round: started.round, target: started.target };
    },
    'room:draw': async ({ roomId, strokes, modelVersionId }, caller) => {
      rooms.assertDrawer(roomId, caller.socketId);
      // Counted with draw:recognize (handlers.ts): both are recognition.
      await limits.take('recognize', caller.actor);
      await limits.take('recognizePoints', caller.actor, undefined, pointsIn(strokes));
      // An empty or fully erased canvas is a drawing too: watchers see it cleared, without a guess.
      const picked = await choice.pick(modelVersionId);
      const found = await picked.recognizer.tryRecognize(strokes, { key: caller.socketId });
      const recognition = found && {
        probabilities: found.probabilities,
        guess: found.guess,
        modelVersion: found.modelVersion,
        modelVersionId: picked.modelVersionId,
        elapsedMs: found.elapsedMs,
      };
      const { drawing, state } = rooms.draw(roomId, caller.socketId, strokes, recognition);
      toRoom(roomId).except(caller.socketId).emit('room:drawing', drawing);
      if (state) toRoom(roomId).emit('room:state', state);
      return recognition;
    },
    'room:guess': async ({ roomId, label }, caller) => {
      await limits.take('roomGuess', caller.actor, roomId);
      const { correct, first, state } = rooms.guess(roomId, caller.socketId, label);
      toRoom(roomId).emit('room:state', state);
      // The round is over: now the watchers may see what the model made of the drawing.
      const drawing = state.status === 'over' ? rooms.drawingOf(roomId) : null;
      if (drawing) toRoom(roomId).emit('room:drawing', drawing);
      return { correct, first };
    },
  };
  const router = new RoomRouter(io, rooms, handlers, cluster);

  // A moderator hid a nickname or showed it again: the rooms held here that show it are sent again.
  const onModeration = (change: ModerationChange) => {
    if (change.kind !== 'nickname') return;
    for (const state of rooms.statesNaming((name) => Moderation.concerns(change, name)))
      toRoom(state.roomId).emit('room:state', state);
  };
  moderation.on('changed', onModeration);

  // Several machines: a player's node says when they leave, but a node that stops or crashes may
  // not; the room's node then finds their connection in the room's channel on no node.
  let checking = false;
  const checkPlayers = async (): Promise<void> => {
    for (const roomId of rooms.ids()) {
      const elsewhere = rooms.connectionsIn(roomId).filter((id) => !io.sockets.sockets.has(id));
      if (elsewhere.length === 0) continue;
      try {
        const present = new Set((await io.in(roomChannel(roomId)).fetchSockets()).map((s) => s.id));
        for (const socketId of elsewhere) if (!present.has(socketId)) await leaveRoom(roomId, socketId);
      } catch (err) {
        // A node that does not answer in time: its players stay until the next check.
        console.error(`[draw] checking the players of room ${roomId} failed: ${(err as Error).message}`);
      }
    }
  };
  const checkTimer = cluster
    ? setInterval(() => {
        if (checking) return;
        checking = true;
        void checkPlayers().finally(() => {
          checking = false;
        });
      }, services.playerCheckMs ?? PLAYER_CHECK_MS)
    : null;
  checkTimer?.unref();

  return {
    connect(socket) {
      // Rooms this connection is in, wherever they are held (to leave them all on disconnect).
      const joined = new Set<string>();
      onRequest(socket, 'room:join', async (payload) => {
        // Rooms are shared by everyone (at most MAX_ROOMS): one page may not hold many of them.
        const fresh = !joined.has(payload.roomId);
        if (fresh && joined.size >= MAX_ROOMS_PER_CONNECTION)
          throw new UserFacingError(
            `One page may be in at most ${MAX_ROOMS_PER_CONNECTION} drawing rooms at once; leave one first.`,
          );
        // Counted from now, so joins sent together cannot pass the cap.
        joined.add(payload.roomId);
        // The socket enters the room's channel on its own node first: the room's node sends its
        // reply and its broadcasts apart, and none sent once the player is in may miss the socket.
        const channel = roomChannel(payload.roomId);
        const wasIn = socket.rooms.has(channel);
        await socket.join(channel);
        try {
          const reply = await router.serve('room:join', payload, callerOf(socket));
          // Gone while joining: the disconnect's leaving may have run before this join landed.
          if (socket.disconnected) {
            await router.serve('room:leave', { roomId: payload.roomId }, callerOf(socket));
            throw new UserFacingError('Disconnected while joining.');
          }
          return reply;
        } catch (err) {
          if (fresh) joined.delete(payload.roomId);
          if (!wasIn) await socket.leave(channel);
          throw err;
        }
      });
      onRequest(socket, 'room:leave', async (payload) => {
        joined.delete(payload.roomId);
        await socket.leave(roomChannel(payload.roomId));
        return router.serve('room:leave', payload, callerOf(socket));
      });
      onRequest(socket, 'room:start', (payload) => router.serve('room:start', payload, callerOf(socket)));
      onRequest(socket, 'room:draw', (payload) => router.serve('room:draw', payload, callerOf(socket)));
      onRequest(socket, 'room:guess', (payload) => router.serve('room:guess', payload, callerOf(socket)));

      socket.on('disconnect', () => {
        const caller = callerOf(socket);
        for (const roomId of joined)
          void router.serve('room:leave', { roomId }, caller).catch((err: unknown) => {
            console.error(`[draw] leaving room ${roomId} on disconnect failed: ${(err as Error).message}`);
          });
      });
    },
    detach() {
      moderation.off('changed', onModeration);
      if (checkTimer) clearInterval(checkTimer);
      // Frees this node's rooms in Redis; their players on other nodes are told to join again.
      void router.detach();
    },
  };
}
