/**
 * The garment recognizer the server uses for drawings: strokes -> the shared preprocessing ->
 * the CNN of the model folder (models/cnn) -> ten probabilities and the model's version. The model
 * is loaded on first use and reloaded when its model.json changes (a finished training run writes
 * a new one), so the server never needs a restart to serve a better model.
 *
 * Inference runs on the calling (socket) thread: batch 1 costs well under a millisecond on wasm
 * (see `npm run bench:sketch`), less than moving the image to a worker and back would.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { UserFacingError } from '../errors';
import { initBackend, tf } from '../ml/backend';
import { hashJson } from '../db/repositories/modelVersions';
import { countParams, loadLayersModel } from '../ml/models/storage';
import { sketchToImage28, type Stroke } from '../../lib/sketch/preprocess';

export interface Recognition {
  probabilities: number[];
  guess: number;
  modelVersion: string;
  elapsedMs: number;
}

export interface LoadedModel {
  model: tfTypes.LayersModel;
  dir: string;
  /** "<folder name>@<first 8 hex of the training log's hash>". */
  version: string;
  params: number;
  /** The parsed training-log.json ({} when the folder has none). */
  trainingLog: unknown;
}

/** How often the model folder is checked for a newer model.json, at most. */
const RELOAD_CHECK_MS = 2000;

export class Recognizer {
  private loaded: LoadedModel | undefined;
  private loading: Promise<LoadedModel> | undefined;
  private loadedMtimeMs = 0;
  private lastCheck = 0;

  constructor(readonly modelDir: string) {}

  /** The current model, loading (or reloading a changed) one when needed. */
  async model(): Promise<LoadedModel> {
    const now = Date.now();
    if (this.loaded && now - this.lastCheck < RELOAD_CHECK_MS) return this.loaded;
    this.lastCheck = now;
    const mtime = await stat(path.join(this.modelDir, 'model.json')).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (this.loaded && (mtime === this.loadedMtimeMs || mtime === 0)) return this.loaded;
    this.loading ??= this.load(mtime).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(mtime: number): Promise<LoadedModel> {
    await initBackend();
    const model = await loadLayersModel(this.modelDir);
    const shape = `${model.inputs[0]?.shape.join(',')} -> ${model.outputs[0]?.shape.join(',')}`;
    if (shape !== ',28,28,1 -> ,10') {
      model.dispose();
      throw new UserFacingError(`The model in ${this.modelDir} is not a garment classifier (${shape}): point MODELS_DIR at a trained CNN.`);
    }
    const trainingLog: unknown = JSON.parse(await readFile(path.join(this.modelDir, 'training-log.json'), 'utf8').catch(() => '{}'));
    const loaded: LoadedModel = {
      model,
      dir: this.modelDir,
      version: `${path.basename(path.resolve(this.modelDir))}@${hashJson(trainingLog).slice(0, 8)}`,
      params: countParams(model),
      trainingLog,
    };
    this.loaded?.model.dispose();
    this.loaded = loaded;
    this.loadedMtimeMs = mtime;
    return loaded;
  }

  /** The model loaded so far, without loading one (for the status panel). */
  current(): LoadedModel | undefined {
    return this.loaded;
  }

  /** Probabilities for one preprocessed 28x28 image (Float32 in [0, 1]). */
  async classify(image: Float32Array): Promise<Omit<Recognition, 'elapsedMs'>> {
    const { model, version } = await this.model();
    const probs = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(image, [1, 28, 28, 1])) as tfTypes.Tensor2D));
    const probabilities = Array.from(probs.dataSync());
    probs.dispose();
    return { probabilities, guess: argMax(probabilities), modelVersion: version };
  }

  /** Strokes -> the image the model sees and its guess; null when there is no ink (empty or erased). */
  async tryRecognize(strokes: readonly Stroke[]): Promise<(Recognition & { image: Float32Array }) | null> {
    const started = performance.now();
    const image = sketchToImage28(strokes);
    if (!image) return null;
    const result = await this.classify(image);
    return { ...result, image, elapsedMs: performance.now() - started };
  }

  /** Like tryRecognize, but an empty drawing is refused with a sentence for the person. */
  async recognize(strokes: readonly Stroke[]): Promise<Recognition & { image: Float32Array }> {
    const result = await this.tryRecognize(strokes);
    if (!result) throw new UserFacingError('There is nothing to recognize: draw something first.');
    return result;
  }

  dispose(): void {
    this.loaded?.model.dispose();
    this.loaded = undefined;
  }
}

export function argMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
