/**
 * Which training images a model never saw: `train --validation N` holds out the last N of the
 * training set (holdOutLast), and the model folder's training-log.json says so. Read here, so a
 * choice made on those images (assess --split validation, a prior refitted without them) can
 * check that the models it uses really left them out, along the whole chain of runs that made
 * them (fine-tuned from, weight-averaged from).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../../errors';
import { isAverage, logsBehind } from './logChain';

/** How the log and the messages name the validation split of N images. */
export const validationSplitText = (count: number): string => `the last ${count} images of the training set`;

type LogLike = {
  validationImages?: unknown;
  config?: { validationCount?: unknown; dataDir?: unknown };
};

/**
 * The validation images a model held out, from its training log: a number N when every run behind
 * it held out the same last N training images; 0 when some run trained on all of them (or the log
 * does not say).
 */
export function heldOutCount(log: unknown): number {
  const l = (log ?? {}) as LogLike;
  const behind = logsBehind(log);
  if (isAverage(log)) {
    const counts = behind.filter((b) => b.link === 'averageOf').map((b) => heldOutCount(b.log));
    return counts.length > 0 && counts.every((c) => c === counts[0]) ? counts[0]! : 0;
  }
  const own = l.validationImages ?? l.config?.validationCount;
  if (typeof own !== 'number' || own <= 0) return 0;
  return behind.every((b) => heldOutCount(b.log) === own) ? own : 0;
}

/** heldOutCount of a model folder's training-log.json (0 when it has none). */
export async function heldOutCountOf(dir: string): Promise<number> {
  return (await heldOutOf(dir)).count;
}

/**
 * The data folders the runs behind a model trained from, as their logs name them (train --data-dir),
 * each once; empty when every run used the default folder.
 */
export function trainedDataDirs(log: unknown): string[] {
  const l = (log ?? {}) as LogLike;
  const own = typeof l.config?.dataDir === 'string' ? [l.config.dataDir] : [];
  const all = [...own, ...logsBehind(log).flatMap((b) => trainedDataDirs(b.log))];
  return all.filter((d, i) => all.findIndex((e) => path.resolve(e) === path.resolve(d)) === i);
}

/** A model folder's held-out images, from its training-log.json: how many, and from which folders. */
export type HeldOutModel = { dir: string; count: number; dataDirs: string[]; logged: boolean };

/** heldOutCount and trainedDataDirs of a model folder's training-log.json (`logged: false`, count 0: it has no readable log). */
export async function heldOutOf(dir: string): Promise<HeldOutModel> {
  let log: unknown;
  try {
    log = JSON.parse(await readFile(path.join(dir, 'training-log.json'), 'utf8'));
  } catch {
    return { dir, count: 0, dataDirs: [], logged: false };
  }
  return { dir, count: heldOutCount(log), dataDirs: trainedDataDirs(log), logged: true };
}

/** What a model folder held out, for a refusal: "models/cnn held out the last 5000 images of the training set". */
export function heldOutText(m: HeldOutModel): string {
  if (!m.logged) return `${m.dir} has no readable training-log.json (which images it trained on is unknown)`;
  return m.count === 0
    ? `${m.dir} trained on all training images`
    : `${m.dir} held out ${validationSplitText(m.count)}`;
}

/**
 * The data folder whose held-out images these models all left out: the one --data-dir names
 * (`given`), else the one their logs name, else `fallback` (the default folder). Refused when a log
 * names another folder than --data-dir or than another model's log (or another run behind the same
 * model), since the last N training images of another folder are not the ones a model never saw.
 * A run whose log names no folder used the default one at the time (FASHION_MNIST_DIR or the
 * Debian package's), which the log does not record: it is taken to match any.
 */
export function heldOutDataDir(models: HeldOutModel[], given: string | undefined, fallback: () => string): string {
  const named = models.flatMap((m) => m.dataDirs.map((dataDir) => ({ ...m, dataDir })));
  const first = named[0];
  for (const m of named) {
    if (given !== undefined && path.resolve(given) !== path.resolve(m.dataDir))
      throw new UserFacingError(
        `${m.dir} held out the last ${m.count} training images of ${m.dataDir}, not of ${given}: leave out --data-dir or pass that folder.`,
      );
    if (first && path.resolve(first.dataDir) !== path.resolve(m.dataDir))
      throw new UserFacingError(
        first.dir === m.dir
          ? `the runs behind ${m.dir} trained on ${first.dataDir} and on ${m.dataDir}: it has no one held-out split.`
          : `${first.dir} trained on ${first.dataDir} but ${m.dir} on ${m.dataDir}: their held-out images are not the same ones, so no split is unseen by both.`,
      );
  }
  return given ?? first?.dataDir ?? fallback();
}
