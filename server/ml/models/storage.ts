/**
 * Model folders on disk, in TensorFlow.js' standard layers format (model.json + weights.bin), so the
 * same folder loads in Node (here) and in a browser (tf.loadLayersModel over HTTP). The pure-JS
 * @tensorflow/tfjs has no file:// handler without tfjs-node, hence these small handlers.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { UserFacingError } from '../../errors';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function weightBuffer(data: tfTypes.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** Writes a layers model into `dir` atomically enough for checkpoints (write, then rename). */
export async function saveLayersModel(model: tfTypes.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      const weights = Buffer.from(weightBuffer(artifacts.weightData));
      await writeFile(path.join(dir, `${WEIGHTS_BIN}.tmp`), weights);
      await writeFile(path.join(dir, `${MODEL_JSON}.tmp`), JSON.stringify(modelJson));
      await rename(path.join(dir, `${WEIGHTS_BIN}.tmp`), path.join(dir, WEIGHTS_BIN));
      await rename(path.join(dir, `${MODEL_JSON}.tmp`), path.join(dir, MODEL_JSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[];
}

/** Loads a model folder; a missing or corrupt file is a UserFacingError that names it. */
export async function loadLayersModel(dir: string): Promise<tfTypes.LayersModel> {
  const jsonPath = path.join(dir, MODEL_JSON);
  let parsed: ModelJsonFile;
  try {
    parsed = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJsonFile;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserFacingError(
        `No model at ${dir} (missing ${MODEL_JSON}): train one with npm run train:cnn or pass the folder of a trained model.`,
      );
    }
    throw new UserFacingError(`The model file ${jsonPath} is not valid JSON: replace it with a freshly trained model.`);
  }
  if (!parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new UserFacingError(`${jsonPath} is not a TensorFlow.js layers model (no modelTopology/weightsManifest).`);
  }
  const specs = parsed.weightsManifest.flatMap((g) => g.weights);
  const buffers: Buffer[] = [];
  for (const group of parsed.weightsManifest) {
    for (const p of group.paths) {
      try {
        buffers.push(await readFile(path.join(dir, p)));
      } catch {
        throw new UserFacingError(
          `The weights file ${path.join(dir, p)} of model ${dir} is missing: re-train or re-copy the model.`,
        );
      }
    }
  }
  const all = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (all.length !== expected) {
    throw new UserFacingError(
      `The weights of model ${dir} are corrupt (${all.length} bytes, expected ${expected}): re-train or re-copy the model.`,
    );
  }
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: specs, weightData }),
    );
  } catch (err) {
    throw new UserFacingError(`Cannot build model ${dir} from its files (${(err as Error).message}).`);
  }
}

/** Number of trainable parameters, the figure people compare. */
export function countParams(model: tfTypes.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
