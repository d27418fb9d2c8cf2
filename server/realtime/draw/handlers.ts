/**
 * The drawing events on every connection: recognition of a drawing (rate-limited, server/limits.ts),
 * saving a confirmed drawing, the sketch gallery, and the shared drawing rooms. Payloads arrive
 * parsed by the protocol's schemas (requests.ts); this module only decides and answers.
 */
import path from 'node:path';
import { UserFacingError } from '../../errors';
import type { Db } from '../../db';
import { Limits } from '../../limits';
import { Moderation } from '../../moderation';
import { actorOf } from '../actor';
import { Recognizer, type RecognizerOptions } from '../../recognition/recognizer';
import { RecognizerChoice } from '../../recognition/versions';
import { guestOf } from '../../identity';
import { listSketches, saveConfirmedDrawing } from '../../recognition/sketches';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import { DrawingRooms } from './rooms';

export interface DrawOptions {
  /** Folder of the served CNN; default `${MODELS_DIR}/cnn`. */
  modelDir?: string;
  /** Recognition requests (draw:recognize and room:draw together) per guest (or connection) per second; default from `limits`. */
  requestsPerSecond?: number;
  /** How recognition runs (default: micro-batched in its own worker thread). */
  recognition?: RecognizerOptions;
  /** The playground's limits (server/limits.ts); default the defaults. */
  limits?: Limits;
  /** What an operator hid (server/moderation.ts); default nothing is hidden. */
  moderation?: Moderation;
  /** The database; default the configured one (server/db getDb). */
  getDb?: () => Promise<Db>;
}

export interface AttachedDraw {
  /** The recognizer of the model folder the server was started with (the fallback default). */
  recognizer: Recognizer;
  /** Which recognizer answers: a picked model version, or the served default. */
  choice: RecognizerChoice;
  rooms: DrawingRooms;
  detach(): void;
}

const roomChannel = (roomId: string): string => `draw-room:${roomId}`;

export async function attachDraw(io: PlaygroundServer, options: DrawOptions = {}): Promise<AttachedDraw> {
  const { env } = await import('../../env');
  const recognizer = new Recognizer(options.modelDir ?? path.join(env.MODELS_DIR, 'cnn'), options.recognition);
  const getDb = options.getDb ?? (async () => (await import('../../db')).getDb());
  const choice = new RecognizerChoice(recognizer, getDb);
  const given = options.limits ?? new Limits();
  const limits = options.requestsPerSecond
    ? new Limits({
        ...given.rules,
        recognize: { ...given.rules.recognize, guest: { points: options.requestsPerSecond, seconds: 1 } },
      })
    : given;
  const rooms = new DrawingRooms();
  const moderation = options.moderation ?? new Moderation(getDb);

  // Recognition per guest (or connection) and per address; saving, rounds and guesses likewise.
  const limit = (socket: PlaygroundSocket): Promise<void> => limits.take('recognize', actorOf(socket));

  const onConnection = (socket: PlaygroundSocket): void => {
    onRequest(socket, 'draw:recognize', async ({ strokes, modelVersionId }) => {
      await limit(socket);
      const picked = await choice.pick(modelVersionId);
      const { probabilities, guess, modelVersion, elapsedMs } = await picked.recognizer.recognize(strokes, {
        key: socket.id,
      });
      return { probabilities, guess, modelVersion, elapsedMs, modelVersionId: picked.modelVersionId };
    });

    onRequest(socket, 'draw:save', async ({ modelVersionId, ...input }) => {
      await limits.take('drawSave', actorOf(socket));
      return saveConfirmedDrawing(await getDb(), (await choice.pick(modelVersionId)).recognizer, {
        ...input,
        authorId: guestOf(socket)?.id ?? null,
      });
    });

    onRequest(socket, 'sketches:list', async (filter) => {
      const page = await listSketches(await getDb(), filter);
      await moderation.ready();
      return {
        ...page,
        sketches: page.sketches
          .filter((s) => !moderation.isHidden('drawing', s.id))
          .map((s) => ({ ...s, author: moderation.nickname(s.author) })),
      };
    });

    onRequest(socket, 'room:join', async ({ roomId, nickname }) => {
      await moderation.ready();
      // The guest cookie's nickname when there is one (the one identity), else the one typed.
      const name = guestOf(socket)?.nickname ?? nickname;
      if (moderation.isHidden('nickname', name))
        throw new UserFacingError('That nickname was hidden by a moderator; choose another one.');
      const joined = rooms.join(roomId, socket.id, name);
      await socket.join(roomChannel(roomId));
      socket.to(roomChannel(roomId)).emit('room:state', joined.state);
      return joined;
    });

    onRequest(socket, 'room:leave', async ({ roomId }) => {
      leaveRoom(socket, roomId);
      return {};
    });

    onRequest(socket, 'room:start', async ({ roomId }) => {
      await limits.take('roomStart', actorOf(socket));
      const started = rooms.start(roomId, socket.id);
      io.to(roomChannel(roomId)).emit('room:state', started.state);
      io.to(roomChannel(roomId)).emit('room:drawing', started.drawing);
      return { round: started.round, target: started.target };
    });

    onRequest(socket, 'room:draw', async ({ roomId, strokes, modelVersionId }) => {
      rooms.assertDrawer(roomId, socket.id);
      await limit(socket);
      // An empty or fully erased canvas is a drawing too: watchers see it cleared, without a guess.
      const picked = await choice.pick(modelVersionId);
      const found = await picked.recognizer.tryRecognize(strokes, { key: socket.id });
      const recognition = found && {
        probabilities: found.probabilities,
        guess: found.guess,
        modelVersion: found.modelVersion,
        modelVersionId: picked.modelVersionId,
        elapsedMs: found.elapsedMs,
      };
      const { drawing, state } = rooms.draw(roomId, socket.id, strokes, recognition);
      socket.to(roomChannel(roomId)).emit('room:drawing', drawing);
      if (state) io.to(roomChannel(roomId)).emit('room:state', state);
      return recognition;
    });

    onRequest(socket, 'room:guess', async ({ roomId, label }) => {
      await limits.take('roomGuess', actorOf(socket), roomId);
      const { correct, first, state } = rooms.guess(roomId, socket.id, label);
      io.to(roomChannel(roomId)).emit('room:state', state);
      // The round is over: now the watchers may see what the model made of the drawing.
      const drawing = state.status === 'over' ? rooms.drawingOf(roomId) : null;
      if (drawing) io.to(roomChannel(roomId)).emit('room:drawing', drawing);
      return { correct, first };
    });

    socket.on('disconnect', () => {
      for (const roomId of rooms.roomsOf(socket.id)) leaveRoom(socket, roomId);
    });
  };

  function leaveRoom(socket: PlaygroundSocket, roomId: string): void {
    const state = rooms.leave(roomId, socket.id);
    void socket.leave(roomChannel(roomId));
    if (state) io.to(roomChannel(roomId)).emit('room:state', state);
  }

  io.on('connection', onConnection);
  return {
    recognizer,
    choice,
    rooms,
    detach() {
      io.off('connection', onConnection);
      void choice.dispose();
    },
  };
}
