/**
 * Which training images a model never saw: `train --validation N` holds out the last N of the
 * training set (holdOutLast), and the model folder's training-log.json says so. Read here, so a
 * choice made on those images (assess --split validation, a prior refitted without them) can
 * check that the models it uses really left them out, along the whole chain of runs that made
 * them (fine-tuned from, weight-averaged from).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** How the log and the messages name the validation split of N images. */
export const validationSplitText = (count: number): string => `the last ${count} images of the training set`;

type LogLike = {
  validationImages?: unknown;
  config?: { validationCount?: unknown };
  averageOf?: { log?: unknown }[];
  initialisedFrom?: { log?: unknown };
};

/**
 * The validation images a model held out, from its training log: a number N when every run behind
 * it held out the same last N training images; 0 when some run trained on all of them (or the log
 * does not say).
 */
export function heldOutCount(log: unknown): number {
  const l = (log ?? {}) as LogLike;
  if (Array.isArray(l.averageOf)) {
    const counts = l.averageOf.map((a) => heldOutCount(a.log));
    return counts.length > 0 && counts.every((c) => c === counts[0]) ? counts[0]! : 0;
  }
  const own = l.validationImages ?? l.config?.validationCount;
  if (typeof own !== 'number' || own <= 0) return 0;
  if (l.initialisedFrom && heldOutCount(l.initialisedFrom.log) !== own) return 0;
  return own;
}

/** heldOutCount of a model folder's training-log.json (0 when it has none). */
export async function heldOutCountOf(dir: string): Promise<number> {
  try {
    return heldOutCount(JSON.parse(await readFile(path.join(dir, 'training-log.json'), 'utf8')));
  } catch {
    return 0;
  }
}
