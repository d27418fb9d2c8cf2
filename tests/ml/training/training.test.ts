/**
 * The training loop on the committed real subset: a real run in worker threads (data-parallel),
 * control (pause, resume, stop), checkpoints and resume; and the same loop in this thread, as a
 * trainer process with a native backend runs it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainingEvent, TrainingLog } from '../../../server/ml/training/events';
import { startTraining } from '../../../server/ml/training/run';
import type { TrainingConfigInput } from '../../../server/ml/training/config';

const FIXTURE = 'tests/fixtures/fashion-mnist';
const tmp = await mkdtemp(path.join(os.tmpdir(), 'fmp-train-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const tiny = (over: Partial<TrainingConfigInput>): TrainingConfigInput => ({
  task: 'cnn',
  dataDir: FIXTURE,
  epochs: 2,
  batchSize: 64,
  lr: 0.003,
  lrSchedule: 'constant',
  trainLimit: 1024,
  testLimit: 500,
  replicas: 1,
  batchEventsPerSecond: 100,
  arch: { filters: [8, 16, 16], dense: 32, dropout: 0.1 },
  ...over,
});

function collect(run: ReturnType<typeof startTraining>): TrainingEvent[] {
  const events: TrainingEvent[] = [];
  run.on('event', (e) => events.push(e));
  return events;
}

describe('training loop', () => {
  it('trains with two data-parallel replicas: well above chance after two epochs, model and log written', async () => {
    const outDir = path.join(tmp, 'out');
    const run = startTraining(tiny({ replicas: 2, outDir }));
    const events = collect(run);
    const result = await run.done;
    expect(result.reason).toBe('completed');
    const started = events.find((e) => e.type === 'started');
    expect(started).toMatchObject({ replicas: 2, trainImages: 1024, testImages: 500, stepsPerEpoch: 16 });
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    const last = epochs.at(-1)!;
    expect(last.evaluation.headline).toBeGreaterThan(0.3); // ten classes: chance is 0.1
    expect(last.evaluation.confusionMatrix).toHaveLength(10);
    const batchLosses = events.flatMap((e) => (e.type === 'batch' ? [e.loss] : []));
    expect(batchLosses.every(Number.isFinite)).toBe(true);
    expect(epochs[1]!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
    const log = JSON.parse(await readFile(path.join(outDir, 'training-log.json'), 'utf8')) as TrainingLog;
    expect(log).toMatchObject({ kind: 'cnn', seed: 42, backend: 'wasm', replicas: 2, trainImages: 1024 });
    expect(log.epochs).toHaveLength(2);
  }, 180_000);

  it.each([
    ['in a worker thread', false],
    ['in this thread', true],
  ])(
    'pauses, resumes and stops on command %s, and a stopped run saves no model',
    async (_, inProcess) => {
      const outDir = path.join(tmp, inProcess ? 'stopped-here' : 'stopped');
      const run = startTraining(tiny({ epochs: 5, outDir }), { inProcess });
      const events = collect(run);
      let phase = 0;
      run.on('event', (e) => {
        if (e.type === 'batch' && phase === 0) {
          phase = 1;
          run.pause();
        } else if (e.type === 'paused') {
          setTimeout(() => run.resume(), 300);
        } else if (e.type === 'resumed') {
          run.stop();
        }
      });
      const result = await run.done;
      expect(result.reason).toBe('stopped');
      const types = events.map((e) => e.type);
      expect(types.indexOf('paused')).toBeGreaterThan(0);
      expect(types.indexOf('resumed')).toBeGreaterThan(types.indexOf('paused'));
      expect(types.at(-1)).toBe('finished');
      await expect(readFile(path.join(outDir, 'model.json'))).rejects.toThrow();
    },
    180_000,
  );

  it('reproduces a run from its seed, dropout masks included, and a resumed run matches an uninterrupted one', async () => {
    const dropout = { arch: { filters: [8, 16, 16], dense: 32, dropout: 0.5 } };
    const losses = async (over: Partial<TrainingConfigInput>) =>
      (await startTraining(tiny({ ...dropout, ...over })).done).log.epochs.map((e) => e.trainLoss);
    const whole = await losses({});
    expect(await losses({})).toEqual(whole);
    expect(await losses({ seed: 7 })).not.toEqual(whole);
    const checkpointDir = path.join(tmp, 'ckpt-same');
    await losses({ epochs: 1, checkpointDir });
    expect(await losses({ checkpointDir })).toEqual(whole);
  }, 180_000);

  it('resumes from the last checkpoint, and the log records the resume', async () => {
    const checkpointDir = path.join(tmp, 'ckpt');
    await startTraining(tiny({ epochs: 1, checkpointDir })).done;
    const run = startTraining(tiny({ epochs: 2, checkpointDir }));
    const events = collect(run);
    const result = await run.done;
    expect(events.find((e) => e.type === 'started')).toMatchObject({ startEpoch: 1 });
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([1]);
    expect(result.log.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(result.log.resumes).toHaveLength(1);
  }, 180_000);

  it('refuses a checkpoint made with other settings or damaged, with the reason; --no-resume starts over', async () => {
    const checkpointDir = path.join(tmp, 'ckpt-other');
    await startTraining(tiny({ epochs: 1, checkpointDir })).done;
    const refusal = (over: Partial<TrainingConfigInput>) =>
      startTraining(tiny({ epochs: 2, checkpointDir, ...over })).done.then(
        () => new Error('expected a refusal'),
        (e: Error) => e,
      );
    const other = await refusal({ lr: 0.001 });
    expect(other.name).toBe('UserFacingError');
    expect(other.message).toMatch(/\(after epoch 1\) was made with other settings \(lr: 0.003 there, 0.001 here\)/);
    expect(other.message).toMatch(/--no-resume to start over/);
    // The refused checkpoint is still there, whole: the same settings resume it.
    const resumed = await startTraining(tiny({ epochs: 2, checkpointDir })).done;
    expect(resumed.log.resumes).toHaveLength(1);

    await writeFile(path.join(checkpointDir, 'state.json'), '{"resumeKey":');
    expect((await refusal({})).message).toMatch(/state.json is damaged/);
    const fresh = await startTraining(tiny({ epochs: 1, checkpointDir, resume: false })).done;
    expect(fresh.log.resumes).toBeUndefined();
  }, 180_000);

  it('fails with the reason, as an event and a rejected promise, when the data is missing', async () => {
    const run = startTraining(tiny({ dataDir: path.join(tmp, 'no-such-folder') }));
    const events = collect(run);
    const err = await run.done.then(
      () => new Error('expected the run to fail'),
      (e: Error) => e,
    );
    expect(err.name).toBe('UserFacingError');
    expect(err.message).toMatch(/does not exist/);
    expect(events.at(-1)).toMatchObject({ type: 'failed' });
  }, 60_000);

  it('trains in this thread as in a worker, and lets the event loop run between steps', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const run = startTraining(tiny({ outDir: path.join(tmp, 'here') }), { inProcess: true });
    const events = collect(run);
    const ticksAtBatch: { step: number; ticks: number }[] = [];
    run.on('event', (e) => e.type === 'batch' && e.epoch === 0 && ticksAtBatch.push({ step: e.step, ticks }));
    const result = await run.done.finally(() => clearInterval(timer));
    expect(result.reason).toBe('completed');
    expect(events.find((e) => e.type === 'started')).toMatchObject({ replicas: 1, stepsPerEpoch: 16 });
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(epochs.at(-1)!.evaluation.headline).toBeGreaterThan(0.3); // ten classes: chance is 0.1
    expect(epochs[1]!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
    await expect(readFile(path.join(tmp, 'here', 'model.json'), 'utf8')).resolves.toContain('modelTopology');
    // The loop gave way before each step: timers (a queue lock's renewal, a host's command) ran
    // between one step's event and the next, not only once the epoch was over.
    const first = ticksAtBatch[0]!;
    const last = ticksAtBatch.at(-1)!;
    expect(last.step - first.step).toBeGreaterThanOrEqual(8);
    expect(last.ticks - first.ticks).toBeGreaterThanOrEqual(last.step - first.step);
  }, 180_000);

  it('refuses more than one replica in this thread, with a sentence', async () => {
    const run = startTraining(tiny({ replicas: 2 }), { inProcess: true });
    await expect(run.done).rejects.toThrow(/one replica \(got 2\); start more trainers instead/);
  });
});
