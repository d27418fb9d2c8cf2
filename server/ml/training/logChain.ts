/**
 * The runs behind a model, as its training log records them: a weight average's `averageOf` (one
 * entry per ingredient) and a fine-tune's `initialisedFrom` each carry the log of the run they came
 * from. One reading of those two links for everything that walks the chain (which images a model
 * held out, which data folders it trained on, the cards' per-run epoch tables).
 */

/** One run directly behind a log: how it is linked, where it sits ('averageOf.1', 'initialisedFrom') and its log. */
export type LogBehind = { link: 'averageOf' | 'initialisedFrom'; at: string; log: unknown };

type Links = { averageOf?: unknown; initialisedFrom?: unknown };

const logOf = (entry: unknown): unknown =>
  entry !== null && typeof entry === 'object' ? (entry as { log?: unknown }).log : undefined;

/** Whether a log is a weight average (it has an `averageOf` list, even an empty one). */
export const isAverage = (log: unknown): boolean =>
  log !== null && typeof log === 'object' && Array.isArray((log as Links).averageOf);

/** The runs directly behind a log: the averaged ones in order, then the one it was fine-tuned from. */
export function logsBehind(log: unknown): LogBehind[] {
  if (log === null || typeof log !== 'object') return [];
  const l = log as Links;
  const averaged: LogBehind[] = Array.isArray(l.averageOf)
    ? l.averageOf.map((entry, i) => ({ link: 'averageOf', at: `averageOf.${i}`, log: logOf(entry) }))
    : [];
  const from: LogBehind[] = l.initialisedFrom
    ? [{ link: 'initialisedFrom', at: 'initialisedFrom', log: logOf(l.initialisedFrom) }]
    : [];
  return [...averaged, ...from];
}
