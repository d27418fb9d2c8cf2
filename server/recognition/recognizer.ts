/**
 * The garment recognizer the server uses for drawings, as the socket thread sees it: strokes in,
 * ten probabilities, the guess and the model's version out. The work (rasterizing the strokes with
 * the shared preprocessing, and the CNN) runs in its own worker thread (recognizerWorker.ts), where
 * requests arriving within a few milliseconds of each other are micro-batched into one pass, taking
 * connections in turn. The socket thread's event loop stays free: it only forwards and answers.
 *
 * `thread: 'inline'` runs one request at a time on the calling thread instead (how recognition ran
 * before the worker; kept so `npm run bench:sketch` can measure both in one run).
 */
import type { Worker } from 'node:worker_threads';
import { UserFacingError } from '../errors';
import type { Stroke } from '../../lib/sketch/preprocess';
import { penBounds } from '../../lib/sketch/rasterize';
import { spawnTsWorker } from '../threads/spawn';
import type { CompileOptions } from './inference';
import type { RecognizerWorkerData, WorkerReply, WorkerRequest } from './recognizerWorker';
import { packStrokes, transferablesOf } from './packedStrokes';
import { infoOf, ServedModel, type ModelInfo } from './servedModel';

export type { ModelInfo } from './servedModel';

export interface Recognition {
  probabilities: number[];
  guess: number;
  modelVersion: string;
  /** Server time from the request to its answer (queueing, preprocessing and inference), in ms. */
  elapsedMs: number;
}

export interface RecognizerOptions {
  /** 'worker' (default): micro-batched in a worker thread; 'inline': batch 1 on the calling thread. */
  thread?: 'worker' | 'inline';
  /** Most drawings in one batch (worker). */
  maxBatch?: number;
  /** Longest wait for a batch to fill, in ms (worker). */
  maxWaitMs?: number;
  /** Inference options (benchmarks: the layers model's predict, or one view of a mirror model). */
  compile?: CompileOptions;
}

export interface RecognizeOptions {
  /** Who asks (a socket id): batches take connections in turn. */
  key?: string;
  /** Also return the 28x28 image the model saw. */
  image?: boolean;
}

export type RecognitionWithImage = Recognition & { image: Float32Array | null; batch: number };

export const DEFAULT_MAX_BATCH = 32;
/**
 * No timer by default: a batch takes what arrived by the end of the worker's current event-loop
 * turn, and what arrives while it runs forms the next (measured on a loaded 2-core machine, a 2 ms
 * timer added a thread wake-up to every request without filling batches better).
 */
export const DEFAULT_MAX_WAIT_MS = 0;

type Pending = { resolve(reply: WorkerReply): void; reject(err: Error): void };

export class Recognizer {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private info: ModelInfo | undefined;
  private readonly inline: ServedModel | undefined;

  constructor(
    readonly modelDir: string,
    private readonly options: RecognizerOptions = {},
  ) {
    if (options.thread === 'inline') this.inline = new ServedModel(modelDir, options.compile);
  }

  /** The served model's description, loading (or reloading a changed) model when needed. */
  async model(): Promise<ModelInfo> {
    if (this.inline) this.info = infoOf(await this.inline.model());
    else {
      const reply = await this.call({ id: 0, info: true });
      if ('info' in reply) this.info = reply.info;
    }
    return this.info!;
  }

  /** The model loaded so far, without loading one (for the status panel). */
  current(): ModelInfo | undefined {
    return this.info;
  }

  /** Strokes -> the guess (and the image the model saw, if asked); null when there is no ink. */
  async tryRecognize(strokes: readonly Stroke[], options: RecognizeOptions = {}): Promise<RecognitionWithImage | null> {
    const started = performance.now();
    // No pen stroke at all: nothing to send to the worker (as before, no model is needed to say so).
    if (!penBounds(strokes)) return null;
    let answer: { probabilities: number[] | null; image?: Float32Array | null; modelVersion: string; batch: number };
    if (this.inline) {
      const [a] = await this.inline.answer([strokes]);
      answer = { ...a!, batch: 1 };
      this.info = infoOf(await this.inline.model());
    } else {
      const reply = await this.call({
        id: 0,
        key: options.key ?? '',
        strokes: packStrokes(strokes),
        image: options.image,
      });
      if (!('answer' in reply)) throw new Error('the recognition worker answered the wrong request');
      answer = reply.answer;
    }
    if (!answer.probabilities) return null;
    if (this.info?.version !== answer.modelVersion) void this.model().catch(() => {});
    return {
      probabilities: answer.probabilities,
      guess: argMax(answer.probabilities),
      modelVersion: answer.modelVersion,
      elapsedMs: performance.now() - started,
      image: options.image ? (answer.image ?? null) : null,
      batch: answer.batch,
    };
  }

  /** Like tryRecognize, but an empty drawing is refused with a sentence for the person. */
  async recognize(strokes: readonly Stroke[], options: RecognizeOptions = {}): Promise<RecognitionWithImage> {
    const result = await this.tryRecognize(strokes, options);
    if (!result) throw new UserFacingError('There is nothing to recognize: draw something first.');
    return result;
  }

  private call(request: WorkerRequest): Promise<WorkerReply> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id }, 'strokes' in request ? transferablesOf(request.strokes) : []);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const data: RecognizerWorkerData = {
      modelDir: this.modelDir,
      maxBatch: this.options.maxBatch ?? DEFAULT_MAX_BATCH,
      maxWaitMs: this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      singleView: this.options.compile?.singleView,
    };
    const worker = spawnTsWorker(new URL('./recognizerWorker.ts', import.meta.url), data);
    worker.on('message', (msg: WorkerReply | { ready: true }) => {
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if ('error' in msg)
        p.reject(
          msg.userFacing
            ? new UserFacingError(msg.error)
            : new UserFacingError(`Recognition failed (${msg.error}); try again.`),
        );
      else p.resolve(msg);
    });
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values())
        p.reject(new UserFacingError(`Recognition stopped (${err.message}); try again.`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`its thread exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  async dispose(): Promise<void> {
    this.inline?.dispose();
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export function argMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
