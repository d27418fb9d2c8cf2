/**
 * A training log's epochs as the Markdown table the model cards show, so a card's per-epoch figures
 * come from a command (`npm run log:epochs`) and not from a script beside the repository. It reads
 * what `startTraining` writes: a model folder's training-log.json, or a checkpoint's state.json
 * (whose `log` is the log so far), for the classifier and the VAE alike. A model made from other
 * runs (a fine-tune's `initialisedFrom`, a weight average's `averageOf`) carries their logs inside
 * its own; each run behind it gets its own table.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserFacingError } from '../../errors';
import type { CheckpointState } from './checkpoint';
import type { SelectionSummary } from './events';
import { logsBehind } from './logChain';

/** The part of a training log the table reads; the rest of the log is left as it is. */
const EpochSchema = z.object({
  epoch: z.number().int().min(0),
  seconds: z.number(),
  imagesPerSec: z.number(),
  lr: z.number(),
  evaluation: z.record(z.string(), z.unknown()),
});
const LogSchema = z.object({
  kind: z.enum(['cnn', 'vae']),
  command: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  epochs: z.array(EpochSchema).min(1),
  trainSeconds: z.number().optional(),
  finishedAt: z.string().optional(),
  selection: z.custom<SelectionSummary>((v) => typeof v === 'object' && v !== null).optional(),
});
export type EpochLog = z.infer<typeof LogSchema>;

/** A run with epochs, and where its log sits inside the log that was read ('' for that log itself). */
export type LoggedRun = { at: string; log: EpochLog };

type Metric = { key: string; title: string; format: (v: number) => string };

const percent = (v: number) => (v * 100).toFixed(2);
const nats = (v: number) => v.toFixed(2);
const ratio = (v: number) => `${v.toFixed(3)}x`;
const score = (v: number) => v.toFixed(2);

/** What each kind's evaluation records, in the cards' order; a metric no epoch has is left out. */
function metricsOf(log: EpochLog): Metric[] {
  if (log.kind === 'cnn') {
    const drawings = log.config?.drawingEvalCount;
    return [
      { key: 'validationAccuracy', title: 'validation', format: percent },
      { key: 'testAccuracy', title: 'test', format: percent },
      {
        key: 'drawingAccuracy',
        title: typeof drawings === 'number' ? `drawings (${drawings.toLocaleString('en-US')})` : 'drawings',
        format: percent,
      },
    ];
  }
  return [
    { key: 'validationElbo', title: 'validation ELBO', format: nats },
    { key: 'validationReconstruction', title: 'validation reconstruction', format: nats },
    { key: 'validationKl', title: 'validation KL', format: nats },
    { key: 'validationReconstructionRatio', title: 'validation reconstruction Fréchet ratio', format: ratio },
    { key: 'validationSampleRatio', title: 'validation sample Fréchet ratio', format: ratio },
    { key: 'testElbo', title: 'test ELBO', format: nats },
    { key: 'testReconstruction', title: 'test reconstruction', format: nats },
    { key: 'testKl', title: 'test KL', format: nats },
    // the critic's mean probability of "real" (near 0.5 / 0.5: fooled; 1 / 0: winning)
    { key: 'criticRealScore', title: 'critic score, real', format: score },
    { key: 'criticReconstructionScore', title: 'critic score, reconstruction', format: score },
  ];
}

/** `2.99e-03`, as the cards print learning rates (JavaScript alone would print `2.99e-3`). */
export function formatLr(lr: number): string {
  const [mantissa, exponent] = lr.toExponential(2).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const numberAt = (o: unknown, key: string): number | undefined => {
  const v = (o as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/**
 * The table: one row per epoch (numbered from 1, the logs count from 0), its learning rate at the
 * end, training seconds and speed, then each metric for the trained weights and, where the run's
 * weight average (`--ema`) was scored on it too, for the average. A cell the epoch did not measure
 * is `—`. Headers as the cards write them: the first average column says it is the EMA.
 */
export function epochTable(log: EpochLog): string {
  const has = (where: (e: EpochLog['epochs'][number]) => unknown, key: string) =>
    log.epochs.some((e) => numberAt(where(e), key) !== undefined);
  const trained = (e: EpochLog['epochs'][number]) => e.evaluation;
  const average = (e: EpochLog['epochs'][number]) => e.evaluation.average;
  const columns: { title: string; cell: (e: EpochLog['epochs'][number]) => string }[] = [
    { title: 'epoch', cell: (e) => String(e.epoch + 1) },
    { title: 'lr at its end', cell: (e) => formatLr(e.lr) },
    { title: 'train s', cell: (e) => String(Math.round(e.seconds)) },
    { title: 'img/s', cell: (e) => String(Math.round(e.imagesPerSec)) },
  ];
  let emaNamed = false;
  for (const m of metricsOf(log)) {
    const cell = (v: number | undefined) => (v === undefined ? '—' : m.format(v));
    const inAverage = has(average, m.key);
    if (!has(trained, m.key) && !inAverage) continue;
    columns.push({ title: `${m.title}: trained`, cell: (e) => cell(numberAt(trained(e), m.key)) });
    if (!inAverage) continue;
    const short = m.title.replace(/ \(.*\)$/, '');
    columns.push({
      title: `${short}: average${emaNamed ? '' : ' (EMA)'}`,
      cell: (e) => cell(numberAt(average(e), m.key)),
    });
    emaNamed = true;
  }
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(columns.map((c) => c.title)),
    row(columns.map(() => '---')),
    ...log.epochs.map((e) => row(columns.map((c) => c.cell(e)))),
  ].join('\n');
}

/** One line on the run's choice: the weights it saved, or for a run in progress the best so far. */
export function selectionLine(log: EpochLog): string | undefined {
  const s = log.selection;
  if (!s?.best) return undefined;
  const what = `the ${s.best.weights} weights after epoch ${s.best.epoch + 1}`;
  return log.finishedAt
    ? `chosen on ${s.chosenOn}: ${what}`
    : `best so far on ${s.chosenOn} (the run is not finished): ${what}`;
}

type Run = { epochs?: unknown; command?: unknown; startedAt?: unknown };

/**
 * Every run with epochs in a log, itself first, then the runs it was fine-tuned from and averaged
 * from, depth first; a run that appears several times (the common start of a soup's fine-tunes) is
 * listed once, where it is first met, and the runs behind it are walked once.
 */
function runsIn(log: unknown, file: string): LoggedRun[] {
  const runs: LoggedRun[] = [];
  const seen = new Set<string>();
  const visit = (l: unknown, at: string) => {
    if (!l || typeof l !== 'object') return;
    const run = l as Run;
    // an empty list is a run that has not finished an epoch: nothing to show
    if (run.epochs !== undefined && !(Array.isArray(run.epochs) && run.epochs.length === 0)) {
      const id = `${String(run.command)}@${String(run.startedAt)}`;
      if (seen.has(id)) return;
      seen.add(id);
      const parsed = LogSchema.safeParse(l);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = [at, ...issue.path.map(String)].filter(Boolean).join('.') || 'the file';
        throw new UserFacingError(
          `${file} is not a training log (${where}: ${issue.message}): pass a model folder, its training-log.json or a checkpoint folder.`,
        );
      }
      runs.push({ at, log: parsed.data });
    }
    for (const b of logsBehind(l)) visit(b.log, [at, b.at].filter(Boolean).join('.'));
  };
  visit(log, '');
  return runs;
}

const REMEDY = 'pass a model folder, its training-log.json or a checkpoint folder';

/**
 * Reads the runs behind `target`: a training-log.json or state.json file, a model folder (its
 * training-log.json) or a checkpoint folder (its state.json).
 */
export async function readLoggedRuns(target: string): Promise<LoggedRun[]> {
  let file = target;
  const isDir = await stat(target).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isDir) {
    const candidates = ['training-log.json', 'state.json'].map((f) => path.join(target, f));
    const found = (
      await Promise.all(
        candidates.map((f) =>
          stat(f).then(
            () => f,
            () => undefined,
          ),
        ),
      )
    ).find(Boolean);
    if (!found)
      throw new UserFacingError(`${target} has neither a training-log.json nor a checkpoint's state.json: ${REMEDY}.`);
    file = found;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserFacingError(
      `Cannot read the training log ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserFacingError(`${file} is not valid JSON: ${REMEDY}.`);
  }
  // A checkpoint's state.json holds the log so far under `log`.
  const log = (json as Partial<CheckpointState> | null)?.log ?? json;
  const runs = runsIn(log, file);
  if (runs.length === 0) throw new UserFacingError(`${file} records no epochs: ${REMEDY}.`);
  return runs;
}
