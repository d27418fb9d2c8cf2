/**
 * Training speed as the benchmarks measure it: a short real run through the training loop (worker
 * threads, data-parallel replicas), the median images/s of its steps after three warm-up steps.
 */
import type { TrainingConfigInput } from './config';
import { startTraining } from './run';

export const WARMUP_STEPS = 3;

/** The q-quantile of a list of numbers (q = 0.5: the median). */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export async function measureTrainingSpeed(
  config: TrainingConfigInput & { batchSize: number },
  steps: number,
): Promise<number> {
  const run = startTraining({
    epochs: 1,
    trainLimit: config.batchSize * (steps + WARMUP_STEPS),
    testLimit: 100,
    batchEventsPerSecond: 100,
    lrSchedule: 'constant',
    lr: 0.001,
    ...config,
  });
  const rates: number[] = [];
  run.on('event', (e) => {
    if (e.type === 'batch' && e.step >= WARMUP_STEPS) rates.push(e.imagesPerSec);
  });
  await run.done;
  return quantile(rates, 0.5);
}
