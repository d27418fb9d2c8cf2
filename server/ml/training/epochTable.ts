/**
 * A training log's epochs as the Markdown table the model cards show, so a card's per-epoch figures
 * come from a command (`npm run log:epochs`) and not from a script beside the repository. It reads
 * what `startTraining` writes: a model folder's training-log.json, or a checkpoint's state.json
 * (whose `log` is the log so far), for the classifier and the VAE alike.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserFacingError } from '../../errors';

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
  config: z.record(z.string(), z.unknown()).optional(),
  epochs: z.array(EpochSchema),
  trainSeconds: z.number().optional(),
  selection: z.unknown().optional(),
});
export type EpochLog = z.infer<typeof LogSchema>;

type Metric = { key: string; title: string; format: (v: number) => string };

const percent = (v: number) => (v * 100).toFixed(2);
const nats = (v: number) => v.toFixed(2);
const ratio = (v: number) => `${v.toFixed(3)}x`;

/** What each kind's evaluation records, in the cards' order; a metric no epoch has is left out. */
function metricsOf(log: EpochLog): Metric[] {
  if (log.kind === 'cnn') {
    const drawings = log.config?.drawingEvalCount;
    const drawingsTitle = typeof drawings === 'number' ? `drawings (${drawings.toLocaleString('en-US')})` : 'drawings';
    return [
      { key: 'validationAccuracy', title: 'validation', format: percent },
      { key: 'testAccuracy', title: 'test', format: percent },
      { key: 'drawingAccuracy', title: drawingsTitle, format: percent },
    ];
  }
  return [
    { key: 'validationElbo', title: 'validation ELBO', format: nats },
    { key: 'testElbo', title: 'test ELBO', format: nats },
    { key: 'validationReconstructionRatio', title: 'validation reconstruction Fréchet ratio', format: ratio },
    { key: 'validationSampleRatio', title: 'validation sample Fréchet ratio', format: ratio },
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
 * end, training seconds and speed, then each metric for the trained weights and, when the run kept
 * a weight average (`--ema`), for the average. A cell the epoch did not measure is `—`.
 */
export function epochTable(log: EpochLog): string {
  const averaged = log.epochs.some((e) => typeof e.evaluation.average === 'object' && e.evaluation.average !== null);
  const metrics = metricsOf(log).filter((m) =>
    log.epochs.some(
      (e) => numberAt(e.evaluation, m.key) !== undefined || numberAt(e.evaluation.average, m.key) !== undefined,
    ),
  );
  const columns: { title: string; cell: (e: EpochLog['epochs'][number]) => string }[] = [
    { title: 'epoch', cell: (e) => String(e.epoch + 1) },
    { title: 'lr at its end', cell: (e) => formatLr(e.lr) },
    { title: 'train s', cell: (e) => String(Math.round(e.seconds)) },
    { title: 'img/s', cell: (e) => String(Math.round(e.imagesPerSec)) },
  ];
  for (const m of metrics) {
    const cell = (v: number | undefined) => (v === undefined ? '—' : m.format(v));
    columns.push({ title: `${m.title}: trained`, cell: (e) => cell(numberAt(e.evaluation, m.key)) });
    if (averaged)
      columns.push({ title: `${m.title}: average (EMA)`, cell: (e) => cell(numberAt(e.evaluation.average, m.key)) });
  }
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(columns.map((c) => c.title)),
    row(columns.map(() => '---')),
    ...log.epochs.map((e) => row(columns.map((c) => c.cell(e)))),
  ].join('\n');
}

/**
 * Reads the log behind `target`: a training-log.json or state.json file, a model folder (its
 * training-log.json) or a checkpoint folder (its state.json). A model made without epochs (a weight
 * average) has no table; that is said, not printed as an empty one.
 */
export async function readEpochLog(target: string): Promise<EpochLog> {
  let file = target;
  if (existsSync(target) && statSync(target).isDirectory()) {
    const candidates = ['training-log.json', 'state.json'].map((f) => path.join(target, f));
    const found = candidates.find((f) => existsSync(f));
    if (!found) throw new UserFacingError(`${target} has neither a training-log.json nor a checkpoint's state.json`);
    file = found;
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON';
    throw new UserFacingError(`cannot read the training log ${file}: ${why}`);
  }
  // A checkpoint's state.json holds the log so far under `log`.
  const candidate = (json as { log?: unknown } | null)?.log ?? json;
  if ((candidate as { epochs?: unknown } | null)?.epochs === undefined) {
    throw new UserFacingError(
      `${file} records no epochs (a weight average or a model made without training has none; its log names the runs behind it)`,
    );
  }
  const parsed = LogSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserFacingError(`${file} is not a training log: ${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  return parsed.data;
}
