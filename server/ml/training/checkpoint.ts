/**
 * Per-epoch checkpoints: the model, the optimizer's moments and the log so far, so an interrupted
 * run resumes at the next epoch with the same schedule. Written by replica 0, read by every replica.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { loadLayersModel, saveLayersModel } from '../models/storage';
import type { TrainingLog } from './events';

/** What a checkpoint folder's state.json holds. */
export interface CheckpointState {
  resumeKey: string;
  epochsCompleted: number;
  log: TrainingLog;
  optimizerSpecs: tfTypes.io.WeightsManifestEntry[];
}

export interface Checkpoint {
  epochsCompleted: number;
  log: TrainingLog;
  model: tfTypes.LayersModel;
  optimizerWeights: { name: string; tensor: tfTypes.Tensor }[];
}

export async function saveCheckpoint(
  dir: string,
  resumeKey: string,
  epochsCompleted: number,
  log: TrainingLog,
  model: tfTypes.LayersModel,
  optimizer: tfTypes.Optimizer,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveLayersModel(model, path.join(dir, 'model'));
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeFile(path.join(dir, 'optimizer.bin'), Buffer.from(data as ArrayBuffer));
  const state: CheckpointState = { resumeKey, epochsCompleted, log, optimizerSpecs: specs };
  await writeFile(path.join(dir, 'state.json.tmp'), JSON.stringify(state));
  await rename(path.join(dir, 'state.json.tmp'), path.join(dir, 'state.json'));
}

/** Checkpoints written before `epochs` left the resume key still carry it. */
function withoutEpochs(key: string): string {
  const { epochs: _epochs, ...rest } = JSON.parse(key) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** The checkpoint in `dir` if there is one for the same configuration, else undefined. */
export async function loadCheckpoint(dir: string, resumeKey: string): Promise<Checkpoint | undefined> {
  let state: CheckpointState;
  try {
    state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as CheckpointState;
  } catch {
    return undefined;
  }
  if (withoutEpochs(state.resumeKey) !== withoutEpochs(resumeKey)) return undefined;
  const model = await loadLayersModel(path.join(dir, 'model'));
  const bin = await readFile(path.join(dir, 'optimizer.bin'));
  const named = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    state.optimizerSpecs,
  );
  const optimizerWeights = state.optimizerSpecs.map((s) => ({ name: s.name, tensor: named[s.name]! }));
  return { epochsCompleted: state.epochsCompleted, log: state.log, model, optimizerWeights };
}
