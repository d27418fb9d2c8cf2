/**
 * Checkpoint folders: a save cut short (the process killed during the seconds it writes) leaves the
 * previous epoch's checkpoint whole, and checkpoints of the layout before epoch folders still load.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, tf } from '../../../server/ml/backend';
import { loadCheckpoint, saveCheckpoint } from '../../../server/ml/training/checkpoint';
import type { TrainingLog } from '../../../server/ml/training/events';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fmp-ckpt-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend());

const KEY = JSON.stringify({ task: 'cnn', lr: 0.003 });
const logOf = (epochs: number) =>
  ({ kind: 'cnn', epochs: Array.from({ length: epochs }, (_, epoch) => ({ epoch })) }) as unknown as TrainingLog;

function tinyModel(): tfTypes.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
  return model;
}

/** One Adam step on the model, so that the optimizer has moments to save. */
function step(model: tfTypes.LayersModel, optimizer: tfTypes.Optimizer): void {
  const x = tf.randomNormal([8, 4]);
  optimizer.minimize(() => tf.mean(tf.square(model.predict(x) as tfTypes.Tensor)) as tfTypes.Scalar);
  x.dispose();
}

const weightsOf = (model: tfTypes.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('checkpoint folders', () => {
  it('a save cut short leaves the previous checkpoint whole: its model, optimizer and extras, not a mix', async () => {
    const dir = path.join(tmp, 'cut');
    const model = tinyModel();
    const optimizer = tf.train.adam(0.01);
    step(model, optimizer);
    const marker = (text: string) => (folder: string) => writeFile(path.join(folder, 'extra.txt'), text);
    await saveCheckpoint(dir, KEY, 1, logOf(1), model, optimizer, marker('epoch 1'));
    const atEpoch1 = weightsOf(model);

    step(model, optimizer);
    const killed = saveCheckpoint(dir, KEY, 2, logOf(2), model, optimizer, async () => {
      throw new Error('killed while saving');
    });
    await expect(killed).rejects.toThrow(/killed/);

    const loaded = await loadCheckpoint(dir, KEY);
    expect(loaded?.epochsCompleted).toBe(1);
    expect(loaded?.log.epochs).toHaveLength(1);
    expect(weightsOf(loaded!.model)).toEqual(atEpoch1);
    expect(await readFile(path.join(loaded!.folder, 'extra.txt'), 'utf8')).toBe('epoch 1');

    // The next whole save replaces it, and the older folder (and the cut one) go.
    await saveCheckpoint(dir, KEY, 2, logOf(2), model, optimizer, marker('epoch 2'));
    expect((await readdir(dir)).sort()).toEqual([expect.stringMatching(/^epoch-2-/), 'state.json']);
    const again = await loadCheckpoint(dir, KEY);
    expect(again?.epochsCompleted).toBe(2);
    expect(weightsOf(again!.model)).toEqual(weightsOf(model));
    expect(again!.optimizerWeights.length).toBe((await optimizer.getWeights()).length);
  });

  it('a run started over saves beside the checkpoint it replaces, never over the folder state.json names', async () => {
    const dir = path.join(tmp, 'again');
    const model = tinyModel();
    const optimizer = tf.train.adam(0.01);
    step(model, optimizer);
    await saveCheckpoint(dir, KEY, 1, logOf(1), model, optimizer);
    const named = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')).files as string;
    // The new run's epoch 1, killed mid-save: the old epoch 1 is still whole and named.
    await expect(
      saveCheckpoint(dir, KEY, 1, logOf(1), model, optimizer, async () => {
        throw new Error('killed while saving');
      }),
    ).rejects.toThrow(/killed/);
    expect(JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')).files).toBe(named);
    expect((await loadCheckpoint(dir, KEY))?.epochsCompleted).toBe(1);
  });

  it('loads a checkpoint of the layout before epoch folders (files beside state.json), and the next save moves to the new one', async () => {
    const dir = path.join(tmp, 'flat');
    const model = tinyModel();
    const optimizer = tf.train.adam(0.01);
    step(model, optimizer);
    await saveCheckpoint(path.join(tmp, 'staging'), KEY, 3, logOf(3), model, optimizer);
    // Rewrite it as the old layout: model/ and optimizer.bin beside a state.json without `files`.
    const [staged] = (await readdir(path.join(tmp, 'staging'))).filter((n) => n.startsWith('epoch-3-'));
    await cp(path.join(tmp, 'staging', staged!), dir, { recursive: true });
    const state = JSON.parse(await readFile(path.join(tmp, 'staging', 'state.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    delete state.files;
    await writeFile(path.join(dir, 'state.json'), JSON.stringify(state));

    const loaded = await loadCheckpoint(dir, KEY);
    expect(loaded?.epochsCompleted).toBe(3);
    expect(loaded?.folder).toBe(dir);
    expect(weightsOf(loaded!.model)).toEqual(weightsOf(model));

    await saveCheckpoint(dir, KEY, 4, logOf(4), model, optimizer);
    expect((await readdir(dir)).sort()).toEqual([expect.stringMatching(/^epoch-4-/), 'state.json']);
    expect((await loadCheckpoint(dir, KEY))?.epochsCompleted).toBe(4);
  });
});
