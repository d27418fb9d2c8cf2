/**
 * Per-epoch checkpoints: the model, the optimizer's moments and the log so far, so an interrupted
 * run resumes at the next epoch with the same schedule. Written by replica 0, read by every replica.
 *
 * One checkpoint is a folder `epoch-<n>-<random>/` (model, optimizer.bin, and what `extra` adds: the
 * weight selection) that `state.json` names; state.json is replaced by a rename only once the folder is
 * whole, and the older folder is removed after. A run killed while saving (the save takes seconds)
 * therefore leaves the previous epoch's checkpoint whole, never one epoch's model with another's
 * optimizer or log. Checkpoints written before this layout hold their files beside state.json and
 * still load.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../backend';
import { loadLayersModel, saveLayersModel } from '../models/storage';
import type { TrainingLog } from './events';
import { UserFacingError } from '../../errors';

/** What a checkpoint folder's state.json holds. */
export interface CheckpointState {
  resumeKey: string;
  epochsCompleted: number;
  log: TrainingLog;
  optimizerSpecs: tfTypes.io.WeightsManifestEntry[];
  /** The folder, relative to the checkpoint's, that holds this epoch's files (absent: beside state.json). */
  files?: string;
}

export interface Checkpoint {
  epochsCompleted: number;
  log: TrainingLog;
  model: tfTypes.LayersModel;
  optimizerWeights: { name: string; tensor: tfTypes.Tensor }[];
  /** The folder holding this checkpoint's files (what `extra` wrote there too). */
  folder: string;
}

/** The folder holding the files of the checkpoint whose state.json is `state`, in `dir`. */
export function checkpointFolder(dir: string, state: Pick<CheckpointState, 'files'>): string {
  return state.files ? path.join(dir, state.files) : dir;
}

export async function saveCheckpoint(
  dir: string,
  resumeKey: string,
  epochsCompleted: number,
  log: TrainingLog,
  model: tfTypes.LayersModel,
  optimizer: tfTypes.Optimizer,
  extra?: (folder: string) => Promise<void>,
): Promise<void> {
  // A name of its own, never the one state.json names now (a run started over with --no-resume
  // saves epoch 1 again while state.json still names the old epoch 1).
  const files = `epoch-${epochsCompleted}-${randomBytes(4).toString('hex')}`;
  const folder = path.join(dir, files);
  await mkdir(folder, { recursive: true });
  await saveLayersModel(model, path.join(folder, 'model'));
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeFile(path.join(folder, 'optimizer.bin'), Buffer.from(data as ArrayBuffer));
  await extra?.(folder);
  const state: CheckpointState = { resumeKey, epochsCompleted, log, optimizerSpecs: specs, files };
  await writeFile(path.join(dir, 'state.json.tmp'), JSON.stringify(state));
  await rename(path.join(dir, 'state.json.tmp'), path.join(dir, 'state.json'));
  // Now the new checkpoint is the one state.json names: the older ones (and files of the layout
  // before epoch folders) go.
  for (const name of await readdir(dir)) {
    const older = name.startsWith('epoch-') && name !== files; // and any a cut-short save left
    const flat = ['model', 'optimizer.bin', 'selection.bin', 'selection.json'].includes(name);
    if (older || flat) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Checkpoints written before `epochs` left the resume key still carry it. */
function withoutEpochs(key: string): string {
  const { epochs: _epochs, ...rest } = JSON.parse(key) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** The settings two resume keys differ in, as "name: there → here" (nested fields by dotted path). */
export function settingsDiffering(there: string, here: string): string[] {
  const flat = (v: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> => {
    if (v && typeof v === 'object' && !Array.isArray(v))
      for (const [k, x] of Object.entries(v)) flat(x, prefix ? `${prefix}.${k}` : k, out);
    else out.set(prefix, JSON.stringify(v));
    return out;
  };
  const a = flat(JSON.parse(there));
  const b = flat(JSON.parse(here));
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((k) => k !== 'epochs' && a.get(k) !== b.get(k))
    .map((k) => `${k}: ${a.get(k) ?? 'unset'} there, ${b.get(k) ?? 'unset'} here`);
}

/**
 * The checkpoint in `dir`, or undefined when there is none. One that cannot be read, or was made
 * with other settings, is refused with the reason (a run that started afresh would overwrite it
 * at its first epoch: hours of training lost without a word).
 */
export async function loadCheckpoint(dir: string, resumeKey: string): Promise<Checkpoint | undefined> {
  const file = path.join(dir, 'state.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserFacingError(`The checkpoint ${file} cannot be read (${(err as Error).message}).`);
  }
  const startOver = `give another --checkpoint-dir, or --no-resume to start over (the checkpoint in ${dir} is then overwritten)`;
  let state: CheckpointState;
  try {
    state = JSON.parse(text) as CheckpointState;
    if (typeof state.resumeKey !== 'string' || !Number.isInteger(state.epochsCompleted)) throw new Error('wrong shape');
  } catch {
    throw new UserFacingError(`The checkpoint ${file} is damaged (not a checkpoint's state): ${startOver}.`);
  }
  if (withoutEpochs(state.resumeKey) !== withoutEpochs(resumeKey)) {
    const differing = settingsDiffering(state.resumeKey, resumeKey);
    throw new UserFacingError(
      `The checkpoint in ${dir} (after epoch ${state.epochsCompleted}) was made with other settings (${differing.slice(0, 4).join('; ')}${differing.length > 4 ? `; and ${differing.length - 4} more` : ''}): run with its settings to resume it, or ${startOver}.`,
    );
  }
  const folder = checkpointFolder(dir, state);
  const model = await loadLayersModel(path.join(folder, 'model'));
  const bin = await readFile(path.join(folder, 'optimizer.bin'));
  const named = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    state.optimizerSpecs,
  );
  const optimizerWeights = state.optimizerSpecs.map((s) => ({ name: s.name, tensor: named[s.name]! }));
  return { epochsCompleted: state.epochsCompleted, log: state.log, model, optimizerWeights, folder };
}
