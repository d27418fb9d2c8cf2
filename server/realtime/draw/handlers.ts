/**
 * The drawing events on every connection: recognition of a drawing (rate-limited per connection),
 * saving a confirmed drawing, the sketch gallery, and the shared drawing rooms. Payloads arrive
 * parsed by the protocol's schemas (requests.ts); this module only decides and answers.
 */
import path from 'node:path';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { UserFacingError } from '../../errors';
import type { Db } from '../../db';
import { Recognizer, type RecognizerOptions } from '../../recognition/recognizer';
import { RecognizerChoice } from '../../recognition/versions';
import { guestOf } from '../../identity';
import { listSketches, saveConfirmedDrawing } from '../../recognition/sketches';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import { DrawingRooms } from './rooms';

export interface DrawOptions {
  /** Folder of the served CNN; default `${MODELS_DIR}/cnn`. */
  modelDir?: string;
  /** Recognition requests (draw:recognize and room:draw together) per connection per second. */
  requestsPerSecond?: number;
  /** How recognition runs (default: micro-batched in its own worker thread). */
  recognition?: RecognizerOptions;
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

/** The page throttles to about 8 requests per second while drawing; this leaves room for bursts. */
export const DEFAULT_REQUESTS_PER_SECOND = 20;

const roomChannel = (roomId: string): string => `draw-room:${roomId}`;

export async function attachDraw(io: PlaygroundServer, options: DrawOptions = {}): Promise<AttachedDraw> {
  const { env } = await import('../../env');
  const recognizer = new Recognizer(options.modelDir ?? path.join(env.MODELS_DIR, 'cnn'), options.recognition);
  const getDb = options.getDb ?? (async () => (await import('../../db')).getDb());
  const choice = new RecognizerChoice(recognizer, getDb);
  const perSecond = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  const limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
  const rooms = new DrawingRooms();

  const limit = async (socket: PlaygroundSocket): Promise<void> => {
    try {
      await limiter.consume(socket.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new UserFacingError(
        `Too many recognition requests: at most ${perSecond} per second per connection; wait ${Math.max(1, Math.ceil(err.msBeforeNext / 100) / 10)} s and send fewer.`,
      );
    }
  };

  const onConnection = (socket: PlaygroundSocket): void => {
    onRequest(socket, 'draw:recognize', async ({ strokes, modelVersionId }) => {
      await limit(socket);
      const picked = await choice.pick(modelVersionId);
      const { probabilities, guess, modelVersion, elapsedMs } = await picked.recognizer.recognize(strokes, { key: socket.id });
      return { probabilities, guess, modelVersion, elapsedMs, modelVersionId: picked.modelVersionId };
    });

    onRequest(socket, 'draw:save', async ({ modelVersionId, ...input }) =>
      saveConfirmedDrawing(await getDb(), (await choice.pick(modelVersionId)).recognizer, { ...input, authorId: guestOf(socket)?.id ?? null }),
    );

    onRequest(socket, 'sketches:list', async (filter) => listSketches(await getDb(), filter));

    onRequest(socket, 'room:join', async ({ roomId, nickname }) => {
      // The guest cookie's nickname when there is one (the one identity), else the one typed.
      const joined = rooms.join(roomId, socket.id, guestOf(socket)?.nickname ?? nickname);
      await socket.join(roomChannel(roomId));
      socket.to(roomChannel(roomId)).emit('room:state', joined.state);
      return joined;
    });

    onRequest(socket, 'room:leave', async ({ roomId }) => {
      leaveRoom(socket, roomId);
      return {};
    });

    onRequest(socket, 'room:start', ({ roomId }) => {
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
      const recognition = found && { probabilities: found.probabilities, guess: found.guess, modelVersion: found.modelVersion, modelVersionId: picked.modelVersionId, elapsedMs: found.elapsedMs };
      const { drawing, state } = rooms.draw(roomId, socket.id, strokes, recognition);
      socket.to(roomChannel(roomId)).emit('room:drawing', drawing);
      if (state) io.to(roomChannel(roomId)).emit('room:state', state);
      return recognition;
    });

    onRequest(socket, 'room:guess', async ({ roomId, label }) => {
      await limit(socket);
      const { correct, first, state } = rooms.guess(roomId, socket.id, label);
      io.to(roomChannel(roomId)).emit('room:state', state);
      // The round is over: now the watchers may see what the model made of the drawing.
      const drawing = state.status === 'over' ? rooms.drawingOf(roomId) : null;
      if (drawing) io.to(roomChannel(roomId)).emit('room:drawing', drawing);
      return { correct, first };
    });

    socket.on('disconnect', () => {
      for (const roomId of rooms.roomsOf(socket.id)) leaveRoom(socket, roomId);
      void limiter.delete(socket.id);
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
