/**
 * createTask's `evaluates`: a replica that only computes gradients checks the Fréchet judge (it
 * must have held out the validation images) but does not load it; the evaluating replica does.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../server/ml/backend';
import { saveLayersModel } from '../../../server/ml/models/storage';
import { TrainingConfigSchema } from '../../../server/ml/training/config';
import { createTask } from '../../../server/ml/training/tasks';
import { tinyCnn } from '../../helpers/models';
import { tempDir } from '../data/fixture';

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  tmp = await tempDir();
  await saveLayersModel(await tinyCnn(5), path.join(tmp.dir, 'judge'));
  await writeFile(path.join(tmp.dir, 'judge', 'training-log.json'), JSON.stringify({ validationImages: 300 }));
});
afterAll(() => tmp.remove());

const config = (validationCount: number) =>
  TrainingConfigSchema.parse({
    task: 'vae',
    arch: { latent: 8, filters: [8, 16], fullRes: 0, dense: 32 },
    validationCount,
    frechetJudge: path.join(tmp.dir, 'judge'),
  });
const judgeOf = (task: unknown) => (task as { judge?: { model?: unknown } }).judge;

describe('createTask and the Fréchet judge', () => {
  it('loads the judge only where the task evaluates', async () => {
    const evaluating = await createTask(config(300));
    const gradientsOnly = await createTask(config(300), undefined, { evaluates: false });
    expect(judgeOf(evaluating)).toBeDefined();
    expect(judgeOf(gradientsOnly)).toBeUndefined();
    (judgeOf(evaluating) as { model: { dispose(): void } }).model.dispose();
    evaluating.model.dispose();
    gradientsOnly.model.dispose();
  });

  it('checks, even where it does not load it, that the judge held out exactly the validation images', async () => {
    await expect(createTask(config(500), undefined, { evaluates: false })).rejects.toThrow(
      /did not hold out exactly the last 500 images of the training set/,
    );
  });
});
