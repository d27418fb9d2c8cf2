/**
 * The training loop, written once. It runs inside a worker thread (replicaThread.ts), never on the
 * thread that serves sockets; with several replicas each worker takes its shard of every batch and
 * the gradients are averaged through shared memory (sync.ts) before one identical update on every
 * replica. Replica 0 evaluates, checkpoints, saves and reports events.
 *
 * A trainer process with a native backend runs its one replica in its own main thread instead
 * (`inProcess`: tfjs-node loads in one thread only, tensorflow/tfjs#8388): that thread serves no
 * sockets, but it renews its queue lock and relays the events, so the loop then yields to the
 * event loop after every step and waits out a pause without blocking.
 */
import { validationSplitText } from './heldOut';
import os from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, tf } from '../backend';
import { copyInto } from '../backend/copy';
import { holdOutLast, loadSplit, resolveDataDir, seededSubset } from '../data/fashionMnist';
import { mulberry32, shuffledIndices } from '../data/random';
import { saveLayersModel, countParams } from '../models/storage';
import { augmentBatch } from './augment';
import { SketchCache } from './sketches';
import { buildDrawingSet } from '../sketch/drawingSet';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { WeightSelection } from './selection';
import { resumeKey, scheduledLearningRate, type TrainingConfig } from './config';
import type { TrainingEvent, TrainingLog } from './events';
import { Command, ReplicaSync, type SharedTrainingMemory } from './sync';
import { PRIOR_FIT_COUNT, type TrainingTask } from './task';
import { createTask } from './tasks';
import { writeFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_PIXELS, imageAt } from '../../../lib/image';

export type ReplicaMessage =
  | { type: 'ready'; replica: number; paramCount: number; stateCount: number; backend: string }
  | { type: 'event'; event: TrainingEvent }
  | { type: 'error'; replica: number; message: string; userFacing: boolean }
  | { type: 'done'; replica: number };

export interface ReplicaData {
  config: TrainingConfig;
  replica: number;
  /** On a thread with an event loop to keep (a trainer's main thread): one replica, yielding every step. */
  inProcess?: boolean;
}

/** The replica's end of its channel to the coordinator (run.ts): a worker's parentPort, or a MessageChannel port. */
export type ReplicaPort = Pick<MessagePort, 'postMessage' | 'once'>;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function unflatten(flat: Float32Array, like: { shape: number[] }[]): tfTypes.Tensor[] {
  let offset = 0;
  return like.map((v) => {
    const size = v.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.subarray(offset, offset + size), v.shape);
    offset += size;
    return t;
  });
}

/** Average the batch-norm statistics so every replica (and the saved model) has the same ones. */
function syncState(task: TrainingTask, sync: ReplicaSync, weights: number[]): void {
  const state = task.stateVariables();
  if (state.length === 0 || weights.length === 1) return;
  const length = copyInto(
    state.map((v) => v.read()),
    sync.mySlot,
  );
  sync.barrier();
  const avg = sync.average(weights, length);
  sync.barrier();
  const tensors = unflatten(
    avg,
    state.map((v) => ({ shape: v.shape as number[] })),
  );
  state.forEach((v, i) => v.write(tensors[i]!));
  tensors.forEach((t) => t.dispose());
}

/** Runs one replica to its end; failures are reported on the port as an `error` message. */
export async function runReplica(data: ReplicaData, port: ReplicaPort): Promise<void> {
  try {
    await train(data, port);
  } catch (err) {
    const e = err as Error;
    port.postMessage({
      type: 'error',
      replica: data.replica,
      message: e?.message ?? String(err),
      userFacing: e?.name === 'UserFacingError',
    } satisfies ReplicaMessage);
  }
}

async function train({ config: cfg, replica, inProcess = false }: ReplicaData, port: ReplicaPort): Promise<void> {
  const emit = (event: TrainingEvent): void => {
    if (replica === 0) port.postMessage({ type: 'event', event } satisfies ReplicaMessage);
  };
  const backend = await initBackend();
  const dataDir = cfg.dataDir ?? resolveDataDir().dir;
  const fullTrain = await loadSplit('train', dataDir);
  // The validation images are the last ones of the training set, split off before any subset is taken.
  const held = cfg.validationCount > 0 ? holdOutLast(fullTrain, cfg.validationCount) : undefined;
  const validation = held?.heldOut;
  const train = seededSubset(held?.rest ?? fullTrain, cfg.trainLimit, cfg.seed);
  const test = seededSubset(await loadSplit('test', dataDir), cfg.testLimit, cfg.seed + 1);
  const drawings =
    replica === 0 && cfg.drawingEvalCount > 0
      ? buildDrawingSet(seededSubset(test, cfg.drawingEvalCount, cfg.seed + 2))
      : undefined;
  const sketches = cfg.sketchFraction > 0 ? new SketchCache(train, cfg.seed) : undefined;
  const priorFit = replica === 0 && cfg.task === 'vae' ? seededSubset(train, PRIOR_FIT_COUNT, cfg.seed + 3) : undefined;
  const key = resumeKey(cfg);
  const checkpoint = cfg.checkpointDir && cfg.resume ? await loadCheckpoint(cfg.checkpointDir, key) : undefined;
  // Only replica 0 evaluates (below), so only it loads what the evaluation alone uses.
  const task = await createTask(cfg, checkpoint?.model, { evaluates: replica === 0 });
  const variables = task.variables();
  const paramCount = variables.reduce((n, v) => n + v.size, 0);
  const auxiliaryParams = task.auxiliaryParams();
  const stateCount = task.stateVariables().reduce((n, v) => n + v.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

  port.postMessage({ type: 'ready', replica, paramCount, stateCount, backend: backend.name } satisfies ReplicaMessage);
  const memory = await new Promise<SharedTrainingMemory>((resolve) =>
    port.once('message', (m: { type: 'start'; memory: SharedTrainingMemory }) => resolve(m.memory)),
  );
  const sync = new ReplicaSync(memory, replica);

  const optimizer = tf.train.adam(cfg.lr);
  if (checkpoint) await optimizer.setWeights(checkpoint.optimizerWeights);
  const setLr = (lr: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };

  const replicas = memory.replicas;
  const stepsPerEpoch = Math.floor(train.count / cfg.batchSize);
  if (stepsPerEpoch < 1)
    throw new Error(`batch size ${cfg.batchSize} is larger than the ${train.count} training images`);
  const bounds = Array.from({ length: replicas + 1 }, (_, r) => Math.floor((r * cfg.batchSize) / replicas));
  const shardWeights = Array.from({ length: replicas }, (_, r) => (bounds[r + 1]! - bounds[r]!) / cfg.batchSize);
  const myStart = bounds[replica]!;
  const mySize = bounds[replica + 1]! - myStart;
  const raw = new Float32Array(mySize * IMAGE_PIXELS);
  const images = new Float32Array(mySize * IMAGE_PIXELS);
  const labels = new Uint8Array(mySize);

  const log: TrainingLog = checkpoint?.log ?? {
    kind: task.kind,
    command: cfg.command,
    config: { ...cfg },
    seed: cfg.seed,
    backend: backend.name,
    replicas,
    architecture: { ...task.describe(), params: countParams(task.model), arch: cfg.arch },
    trainImages: train.count,
    testImages: test.count,
    ...(validation
      ? {
          validationImages: validation.count,
          validationSplit: validationSplitText(validation.count),
        }
      : {}),
    startedAt: new Date().toISOString(),
    trainSeconds: 0,
    epochs: [],
    host: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
  };
  const startEpoch = checkpoint?.epochsCompleted ?? 0;
  // Weight average and validation choice: replica 0 only (every replica holds the same weights).
  const selection = replica === 0 && (cfg.ema > 0 || validation) ? new WeightSelection(task.model, cfg.ema) : undefined;
  if (selection && checkpoint) await selection.restore(checkpoint.folder, log.selection);
  if (checkpoint) {
    log.resumes = [
      ...(log.resumes ?? []),
      { afterEpoch: startEpoch, command: cfg.command, at: new Date().toISOString(), config: { ...cfg } },
    ];
  }
  emit({
    type: 'started',
    backend: backend.name,
    replicas,
    params: paramCount - auxiliaryParams,
    ...(auxiliaryParams > 0 ? { auxiliaryParams } : {}),
    epochs: cfg.epochs,
    startEpoch,
    stepsPerEpoch,
    trainImages: train.count,
    testImages: test.count,
  });

  let stopped = false;
  let lastBatchEvent = 0;
  const minEventGap = 1000 / cfg.batchEventsPerSecond;
  for (let epoch = startEpoch; epoch < cfg.epochs && !stopped; epoch++) {
    const order = shuffledIndices(train.count, cfg.seed * 7919 + epoch);
    const rand = mulberry32((cfg.seed * 31 + epoch) * 131 + replica);
    // tfjs draws what a layer leaves unseeded (dropout masks) from Math.random. A worker thread
    // trains and does nothing else, so there it is seeded per epoch and replica: a seed reproduces
    // a run, and a resume redoes an epoch with the same masks. (A thread that also serves keeps its own.)
    if (!inProcess) Math.random = mulberry32(((cfg.seed * 104_729 + epoch) * 257 + replica + 1) >>> 0);
    let lossSum = 0;
    let correctSum = 0;
    let seen = 0;
    let lr = cfg.lr;
    let trainSeconds = 0;
    let windowStart = performance.now();
    let windowImages = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      if (inProcess) await yieldToEventLoop(); // the host's commands and the queue's lock renewals run here
      let command = sync.decide();
      if (command === Command.Pause) {
        emit({ type: 'paused', epoch, step });
        while (command === Command.Pause) {
          if (inProcess) await sync.whilePaused();
          else sync.waitWhilePaused();
          command = sync.decide(); // replica 0's reading wins, so all replicas leave the pause together
        }
        if (command !== Command.Stop) emit({ type: 'resumed', epoch, step });
        windowStart = performance.now();
        windowImages = 0;
      }
      if (command === Command.Stop) {
        stopped = true;
        break;
      }
      const t0 = performance.now();
      lr = sync.learningRateOverride() ?? scheduledLearningRate(cfg, epoch, step, stepsPerEpoch);
      setLr(lr);
      for (let i = 0; i < mySize; i++) {
        const j = order[step * cfg.batchSize + myStart + i]!;
        const src = sketches && rand() < cfg.sketchFraction ? sketches.get(j) : imageAt(train.images, j);
        for (let p = 0; p < IMAGE_PIXELS; p++) raw[i * IMAGE_PIXELS + p] = src[p]! / 255;
        labels[i] = train.labels[j]!;
      }
      if (cfg.augment)
        augmentBatch(raw, images, mySize, rand, { maxShift: cfg.maxShift, flip: true, eraseProb: cfg.eraseProb });
      else images.set(raw);

      let correctT: tfTypes.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const r = task.step({ images, labels, size: mySize }, { epoch, step, stepsPerEpoch });
        correctT = r.correct ? tf.keep(r.correct) : undefined;
        return r.loss;
      }, variables);
      const loss = value.dataSync()[0]!;
      const correct = correctT ? correctT.dataSync()[0]! : 0;
      value.dispose();
      correctT?.dispose();
      if (!Number.isFinite(loss)) {
        throw new Error(`the loss became ${loss} at epoch ${epoch + 1}, step ${step + 1}: lower the learning rate`);
      }
      const gradList = variables.map((v) => grads[v.name]!);
      if (replicas > 1) {
        copyInto(gradList, sync.mySlot);
        sync.writeStats(loss * mySize, correct, mySize);
        sync.barrier();
        sync.averageShare(shardWeights);
        const stats = sync.totalStats();
        // The average is complete once all shares are in; it and the slots are rewritten only in
        // the next step, after decide()'s barriers, which nobody passes before all have read it.
        sync.barrier();
        const averaged = unflatten(sync.averaged, variables);
        optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: averaged[i]! })));
        averaged.forEach((t) => t.dispose());
        lossSum += stats.lossSum;
        correctSum += stats.correct;
        seen += stats.count;
      } else {
        optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: gradList[i]! })));
        lossSum += loss * mySize;
        correctSum += correct;
        seen += mySize;
      }
      Object.values(grads).forEach((g) => g.dispose());
      selection?.updateAverage();
      const t1 = performance.now();
      trainSeconds += (t1 - t0) / 1000;
      windowImages += cfg.batchSize;
      if (replica === 0 && (t1 - lastBatchEvent >= minEventGap || step === stepsPerEpoch - 1)) {
        lastBatchEvent = t1;
        emit({
          type: 'batch',
          epoch,
          step,
          stepsPerEpoch,
          loss: lossSum / seen,
          accuracy: task.kind === 'cnn' ? correctSum / seen : undefined,
          imagesPerSec: (windowImages * 1000) / (t1 - windowStart),
          lr,
        });
        windowStart = t1;
        windowImages = 0;
      }
    }
    if (stopped) break;
    syncState(task, sync, shardWeights);
    if (replica === 0) {
      const sets = { drawings, validation, priorFit };
      let evaluation = await task.evaluate(test, epoch, sets);
      if (selection)
        evaluation = await selection.afterEpoch(
          epoch,
          evaluation,
          () => task.evaluate(test, epoch, sets),
          Boolean(validation),
        );
      if (selection) log.selection = selection.summary();
      const record = {
        epoch,
        seconds: trainSeconds,
        imagesPerSec: (stepsPerEpoch * cfg.batchSize) / trainSeconds,
        lr,
        trainLoss: lossSum / seen,
        trainAccuracy: task.kind === 'cnn' ? correctSum / seen : undefined,
        evaluation,
      };
      log.epochs.push(record);
      log.trainSeconds += trainSeconds;
      if (cfg.snapshotDir && task.snapshot) {
        const dir = path.join(cfg.snapshotDir, `epoch-${epoch + 1}`);
        // Written beside and renamed into place whole: a reader (a web node opening a vote on it)
        // never sees weights without their latent prior, nor a folder half overwritten by a resume.
        const partial = `${dir}.partial`;
        await rm(partial, { recursive: true, force: true });
        await task.snapshot(partial);
        await rm(dir, { recursive: true, force: true });
        await rename(partial, dir);
        emit({ type: 'snapshot', epoch, dir });
        await rm(path.join(cfg.snapshotDir, `epoch-${epoch - 1}`), { recursive: true, force: true });
      }
      emit({ type: 'epoch', ...record });
      if (cfg.checkpointDir) {
        await saveCheckpoint(
          cfg.checkpointDir,
          key,
          epoch + 1,
          log,
          task.model,
          optimizer,
          selection && ((folder) => selection.save(folder)),
        );
        emit({ type: 'checkpoint', epoch, dir: cfg.checkpointDir });
      }
    }
    sync.barrier();
  }

  if (replica === 0) {
    log.finishedAt = new Date().toISOString();
    if (cfg.outDir && !stopped) {
      // With a validation set the saved weights are the ones it chose (an epoch's, or their average).
      if (selection && validation) selection.loadChosenInto();
      await saveLayersModel(task.model, cfg.outDir);
      await mkdir(cfg.outDir, { recursive: true });
      await writeFile(path.join(cfg.outDir, 'training-log.json'), JSON.stringify(log, null, 2) + '\n');
    }
    emit({
      type: 'finished',
      reason: stopped ? 'stopped' : 'completed',
      log,
      outDir: stopped ? undefined : cfg.outDir,
    });
  }
  port.postMessage({ type: 'done', replica } satisfies ReplicaMessage);
}
