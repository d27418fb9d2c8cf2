/**
 * The drawing events on every connection: recognition of a drawing (rate-limited, server/limits.ts),
 * saving a confirmed drawing, the sketch gallery, and the shared drawing rooms (roomHandlers.ts).
 * Payloads arrive parsed by the protocol's schemas (requests.ts); this module only decides and
 * answers. Recognition is stateless: it runs on the node the request reached.
 */
import { getDbLazily } from '../../db/lazy';
import path from 'node:path';
import type { Db } from '../../db';
import { Limits } from '../../limits';
import { Moderation } from '../../moderation';
import { actorOf } from '../actor';
import { Recognizer, type RecognizerOptions } from '../../recognition/recognizer';
import { RecognizerChoice } from '../../recognition/versions';
import { guestOf } from '../../identity';
import { listSketches, saveConfirmedDrawing } from '../../recognition/sketches';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import type { ClusterRooms } from './forwarding';
import { attachRoomHandlers, pointsIn } from './roomHandlers';
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
  /** Several machines (server/cluster/drawRooms.ts): each room on one node, its requests forwarded there. */
  cluster?: ClusterRooms;
  /** Several machines: how often a room's node drops players whose node is gone; default PLAYER_CHECK_MS. */
  playerCheckMs?: number;
}

export interface AttachedDraw {
  /** The recognizer of the model folder the server was started with (the fallback default). */
  recognizer: Recognizer;
  /** Which recognizer answers: a picked model version, or the served default. */
  choice: RecognizerChoice;
  rooms: DrawingRooms;
  detach(): void;
}

export async function attachDraw(io: PlaygroundServer, options: DrawOptions = {}): Promise<AttachedDraw> {
  const { env } = await import('../../env');
  const recognizer = new Recognizer(options.modelDir ?? path.join(env.MODELS_DIR, 'cnn'), options.recognition);
  const getDb = options.getDb ?? getDbLazily;
  const choice = new RecognizerChoice(recognizer, getDb);
  const given = options.limits ?? new Limits();
  const limits = options.requestsPerSecond
    ? new Limits({
        ...given.rules,
        recognize: { ...given.rules.recognize, guest: { points: options.requestsPerSecond, seconds: 1 } },
      })
    : given;
  const moderation = options.moderation ?? new Moderation(getDb);
  const rooms = new DrawingRooms(Math.random, Date.now, (name) => moderation.nickname(name));
  const roomRequests = attachRoomHandlers(io, {
    rooms,
    limits,
    moderation,
    choice,
    cluster: options.cluster ?? null,
    playerCheckMs: options.playerCheckMs,
  });

  const onConnection = (socket: PlaygroundSocket): void => {
    // Recognition per guest (or connection) and per address; saving, rounds and guesses likewise.
    onRequest(socket, 'draw:recognize', async ({ strokes, modelVersionId }) => {
      await limits.take('recognize', actorOf(socket));
      await limits.take('recognizePoints', actorOf(socket), undefined, pointsIn(strokes));
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

    roomRequests.connect(socket);
  };

  io.on('connection', onConnection);
  return {
    recognizer,
    choice,
    rooms,
    detach() {
      io.off('connection', onConnection);
      roomRequests.detach();
      void choice.dispose();
    },
  };
}
