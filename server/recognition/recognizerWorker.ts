/**
 * The recognition worker thread: holds the served CNN (servedModel.ts) and micro-batches the
 * drawings the socket thread forwards (batcher.ts): rasterizing and inference both happen here, so
 * the socket thread only parses, rate-limits and forwards. Messages:
 *   in  { id, key, strokes (packedStrokes.ts), image? }  -> out { id, answer }  or { id, error, userFacing }
 *   in  { id, info: true }            -> out { id, info }    or { id, error, userFacing }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserFacingError } from '../errors';
import type { Stroke } from '../../lib/sketch/preprocess';
import { MicroBatcher } from './batcher';
import { type PackedStrokes, unpackStrokes } from './packedStrokes';
import { infoOf, ServedModel, type Answer } from './servedModel';

export interface RecognizerWorkerData {
  modelDir: string;
  maxBatch: number;
  maxWaitMs: number;
  singleView?: boolean;
}

export type WorkerRequest =
  | { id: number; key: string; strokes: PackedStrokes; image?: boolean }
  | { id: number; info: true };
export type WorkerReply =
  | {
      id: number;
      answer: { probabilities: number[] | null; image?: Float32Array; modelVersion: string; batch: number };
    }
  | { id: number; info: ReturnType<typeof infoOf> }
  | { id: number; error: string; userFacing: boolean };

const port = parentPort!;
const { modelDir, maxBatch, maxWaitMs, singleView } = workerData as RecognizerWorkerData;
const served = new ServedModel(modelDir, { singleView });
let lastBatch = 0;
const batcher = new MicroBatcher<Stroke[], Answer>({
  maxBatch,
  maxWaitMs,
  run: (drawings) => {
    lastBatch = drawings.length;
    return served.answer(drawings);
  },
});

const fail = (id: number, err: unknown): void =>
  port.postMessage({
    id,
    error: err instanceof Error ? err.message : String(err),
    userFacing: err instanceof UserFacingError,
  } satisfies WorkerReply);

port.on('message', (msg: WorkerRequest) => {
  if ('info' in msg) {
    served.model().then(
      (m) => port.postMessage({ id: msg.id, info: infoOf(m) } satisfies WorkerReply),
      (err: unknown) => fail(msg.id, err),
    );
    return;
  }
  batcher.submit(msg.key, unpackStrokes(msg.strokes)).then(
    (a) => {
      const batch = lastBatch;
      const image = msg.image && a.image ? a.image : undefined;
      port.postMessage({
        id: msg.id,
        answer: { probabilities: a.probabilities, image, modelVersion: a.modelVersion, batch },
      } satisfies WorkerReply);
    },
    (err: unknown) => fail(msg.id, err),
  );
});
port.postMessage({ ready: true });
