/**
 * The session's live charts: loss, and accuracy (CNN) or the test bound (VAE), per batch as lines
 * and per epoch as points, on one x axis measured in epochs. A marker shows the inspected epoch.
 */
'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { SessionBatchEvent, SessionEvent, SessionKind } from '../../../lib/protocol';
import { Figure } from './Figure';
import { formatPercent } from './format';
import { LineChart, type SeriesSpec } from './LineChart';

type EpochEvent = Extract<SessionEvent, { type: 'epoch' }>;

interface Props {
  kind: SessionKind;
  batches: SessionBatchEvent[];
  epochs: EpochEvent[];
  /** Number of batches and epochs: the arrays are appended to in place, so these say when they changed. */
  version: number;
  selectedEpoch: number | null;
}

/**
 * uPlot's aligned data: one ascending x array for all series. Batch figures have values at batch
 * x's, epoch figures at epoch ends (x = 1, 2, ...); where both fall on one x they share the row.
 */
function align(xsA: number[], ysA: (number | null)[][], xsB: number[], ysB: (number | null)[][]): uPlot.AlignedData {
  const rows = new Map<number, { a: number; b: number }>();
  xsA.forEach((x, i) => rows.set(x, { a: i, b: -1 }));
  xsB.forEach((x, i) => rows.set(x, { a: rows.get(x)?.a ?? -1, b: i }));
  const xs = [...rows.keys()].sort((p, q) => p - q);
  const column = (ys: (number | null)[], side: 'a' | 'b') =>
    xs.map((x) => {
      const i = rows.get(x)![side];
      return i >= 0 ? ys[i]! : null;
    });
  return [xs, ...ysA.map((ys) => column(ys, 'a')), ...ysB.map((ys) => column(ys, 'b'))] as uPlot.AlignedData;
}

const at = (b: SessionBatchEvent): number => b.epoch + (b.step + 1) / b.stepsPerEpoch;

export function TrainingCharts({ kind, batches, epochs, version, selectedEpoch }: Props) {
  const marker = selectedEpoch === null ? null : selectedEpoch + 1;

  // biome-ignore lint/correctness/useExhaustiveDependencies: batches and epochs are appended to in place, so their identity never changes; version counts them and says when to recompute
  const loss = useMemo(() => {
    const bx = batches.map(at);
    const ex = epochs.map((e) => e.epoch + 1);
    const epochSeries = [epochs.map((e) => e.trainLoss)];
    if (kind === 'cnn') epochSeries.push(epochs.map((e) => e.evaluation.testLoss ?? null) as number[]);
    return align(bx, [batches.map((b) => b.loss)], ex, epochSeries);
  }, [version, kind]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: batches and epochs are appended to in place, so their identity never changes; version counts them and says when to recompute
  const quality = useMemo(() => {
    const bx = batches.map(at);
    const ex = epochs.map((e) => e.epoch + 1);
    if (kind === 'cnn') {
      return align(bx, [batches.map((b) => b.accuracy ?? null)], ex, [
        epochs.map((e) => e.evaluation.testAccuracy ?? e.evaluation.headline),
      ]);
    }
    // The test bound, also for a run whose headline is its validation bound (a CLI run with --validation).
    return align([], [], ex, [
      epochs.map((e) => (typeof e.evaluation.testElbo === 'number' ? -e.evaluation.testElbo : e.evaluation.headline)),
    ]);
  }, [version, kind]);

  const lossSeries: SeriesSpec[] = [
    { label: 'train loss (batches)', color: '#818cf8' },
    { label: 'train loss (epoch)', color: '#c7d2fe', points: true },
    ...(kind === 'cnn' ? [{ label: 'test loss', color: '#fbbf24', points: true }] : []),
  ];
  const qualitySeries: SeriesSpec[] =
    kind === 'cnn'
      ? [
          { label: 'train accuracy (batches)', color: '#34d399', format: (v) => formatPercent(v) },
          { label: 'test accuracy', color: '#fbbf24', points: true, format: (v) => formatPercent(v) },
        ]
      : [
          {
            label: 'test −ELBO (nats/image, lower is better)',
            color: '#fbbf24',
            points: true,
            format: (v) => v.toFixed(1),
          },
        ];

  // Both charts run along the same epochs, with the same inspected-epoch marker.
  const epochAxis = { xLabel: 'epoch', marker };
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Figure card caption="Loss">
        <LineChart
          testId="loss-chart"
          data={loss}
          series={lossSeries}
          // The VAE's loss is its training objective (weighted KL, perceptual and critic terms), not a bound in nats.
          yLabel={kind === 'cnn' ? 'cross-entropy' : 'training objective'}
          {...epochAxis}
        />
      </Figure>
      <Figure card caption={kind === 'cnn' ? 'Accuracy' : 'Test bound (−ELBO)'}>
        <LineChart
          testId="quality-chart"
          data={quality}
          series={qualitySeries}
          yLabel={kind === 'cnn' ? 'accuracy' : 'nats / image'}
          yRange={kind === 'cnn' ? [0, 1] : undefined}
          yFormat={kind === 'cnn' ? (v) => `${Math.round(v * 100)} %` : undefined}
          {...epochAxis}
        />
      </Figure>
    </div>
  );
}
