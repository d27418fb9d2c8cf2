/**
 * The served CNN inside the thread that runs it: loaded from its folder (models/cnn) on first use
 * and reloaded when its model.json changes (a finished training run writes a new one), so the
 * server never needs a restart to serve a better model; compiled for batched inference
 * (inference.ts). Strokes -> the shared preprocessing -> ten probabilities and the model version.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { UserFacingError } from '../errors';
import { initBackend } from '../ml/backend';
import { hashJson } from '../db/repositories/modelVersions';
import { countParams, loadLayersModel } from '../ml/models/storage';
import { sketchToImage28, type Stroke } from '../../lib/sketch/preprocess';
import { IMAGE_PIXELS } from '../../lib/image';
import { compileClassifier, type Classifier, type CompileOptions } from './inference';

/** What the main thread knows of the served model (status panel, saved drawings). */
export interface ModelInfo {
  dir: string;
  /** "<folder name>@<first 8 hex of the training log's hash>". */
  version: string;
  params: number;
  /** The parsed training-log.json ({} when the folder has none). */
  trainingLog: unknown;
  /** 'compiled' (fused ops, one pass for both mirror views) or 'layers' (the model's predict). */
  inference: Classifier['path'];
  mirror: boolean;
}

export interface LoadedModel extends ModelInfo {
  model: tfTypes.LayersModel;
  classifier: Classifier;
}

/** One drawing's answer: null probabilities when it has no ink. */
export interface Answer {
  probabilities: number[] | null;
  image: Float32Array | null;
  modelVersion: string;
}

/** How often the model folder is checked for a newer model.json, at most. */
const RELOAD_CHECK_MS = 2000;

export class ServedModel {
  private loaded: LoadedModel | undefined;
  private loading: Promise<LoadedModel> | undefined;
  private loadedMtimeMs = 0;
  private lastCheck = 0;

  constructor(
    readonly modelDir: string,
    private readonly compile: CompileOptions = {},
  ) {}

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
      throw new UserFacingError(
        `The model in ${this.modelDir} is not a garment classifier (${shape}): point MODELS_DIR at a trained CNN.`,
      );
    }
    const trainingLog: unknown = JSON.parse(
      await readFile(path.join(this.modelDir, 'training-log.json'), 'utf8').catch(() => '{}'),
    );
    const classifier = compileClassifier(model, this.compile);
    const loaded: LoadedModel = {
      model,
      classifier,
      dir: this.modelDir,
      version: `${path.basename(path.resolve(this.modelDir))}@${hashJson(trainingLog).slice(0, 8)}`,
      params: countParams(model),
      trainingLog,
      inference: classifier.path,
      mirror: classifier.mirror,
    };
    this.dispose();
    this.loaded = loaded;
    this.loadedMtimeMs = mtime;
    return loaded;
  }

  /** Probabilities (rows of 10) for n preprocessed 28x28 images packed one after another. */
  async classify(images: Float32Array, n: number): Promise<{ probabilities: number[][]; modelVersion: string }> {
    const { classifier, version } = await this.model();
    const flat = classifier.classify(images, n);
    const probabilities = Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * 10, i * 10 + 10)));
    return { probabilities, modelVersion: version };
  }

  /** Drawings -> their images and probabilities, one batch through the CNN for all that have ink. */
  async answer(drawings: readonly (readonly Stroke[])[]): Promise<Answer[]> {
    const images = drawings.map((strokes) => sketchToImage28(strokes));
    const inked = images.filter((im): im is Float32Array => im !== null);
    const packed = new Float32Array(inked.length * IMAGE_PIXELS);
    inked.forEach((im, i) => packed.set(im, i * IMAGE_PIXELS));
    const { probabilities, modelVersion } = inked.length
      ? await this.classify(packed, inked.length)
      : { probabilities: [], modelVersion: (await this.model()).version };
    let next = 0;
    return images.map((image) => ({ image, probabilities: image ? probabilities[next++]! : null, modelVersion }));
  }

  dispose(): void {
    this.loaded?.classifier.dispose();
    this.loaded?.model.dispose();
    this.loaded = undefined;
  }
}

export function infoOf(m: LoadedModel): ModelInfo {
  return {
    dir: m.dir,
    version: m.version,
    params: m.params,
    trainingLog: m.trainingLog,
    inference: m.inference,
    mirror: m.mirror,
  };
}
