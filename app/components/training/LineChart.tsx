/**
 * A streaming line chart on uPlot (canvas; built for thousands of points arriving live): created
 * once, fed new data with setData, resized with its container. An optional marker draws a
 * vertical line, e.g. at the epoch being inspected.
 */
'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  color: string;
  /** Points only (per-epoch figures), or a line (per-batch figures). */
  points?: boolean;
  /** Which y axis: the left ('y') or the right ('y2'). */
  scale?: 'y' | 'y2';
  format?: (v: number) => string;
}

interface Props {
  data: uPlot.AlignedData;
  series: SeriesSpec[];
  xLabel: string;
  yLabel: string;
  y2Label?: string;
  /** y range of the left axis, e.g. [0, 1] for accuracies. */
  yRange?: [number, number];
  /** How the left axis writes its ticks (e.g. accuracies as "80 %"); plain numbers by default. */
  yFormat?: (value: number) => string;
  marker?: number | null;
  height?: number;
  testId?: string;
}

/** Auto range that survives a chart with no points yet (uPlot's own gives up on all-null data). */
const autoRange: uPlot.Scale.Range = (_u, min, max) =>
  min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)
    ? [0, 1]
    : uPlot.rangeNum(min, max, 0.1, true);

const AXIS = {
  stroke: '#a1a1aa',
  grid: { stroke: '#27272a', width: 1 },
  ticks: { stroke: '#3f3f46', width: 1 },
  font: '11px ui-sans-serif, system-ui',
};

export function LineChart({
  data,
  series,
  xLabel,
  yLabel,
  y2Label,
  yRange,
  yFormat,
  marker = null,
  height = 220,
  testId,
}: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markerRef = useRef(marker);
  markerRef.current = marker;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt only when its shape changes (series labels, axis labels, height); data goes through setData below, and yRange is a fresh array each render that callers change only together with the series and y label
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: false },
        y: { auto: !yRange, range: yRange ?? autoRange },
        ...(y2Label ? { y2: { auto: true, range: autoRange } } : {}),
      },
      axes: [
        { ...AXIS, label: xLabel, labelSize: 18, labelFont: AXIS.font, size: 36 },
        {
          ...AXIS,
          label: yLabel,
          labelSize: 18,
          labelFont: AXIS.font,
          size: 48,
          scale: 'y',
          ...(yFormat ? { values: (_u: uPlot, ticks: number[]) => ticks.map(yFormat) } : {}),
        },
        ...(y2Label
          ? [
              {
                ...AXIS,
                label: y2Label,
                labelSize: 18,
                labelFont: AXIS.font,
                size: 48,
                scale: 'y2',
                side: 1 as const,
                grid: { show: false },
              },
            ]
          : []),
      ],
      series: [
        { label: xLabel, value: (_u, v) => (v === null ? '' : v.toFixed(2)) },
        ...series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.points ? 1.5 : 1.5,
            scale: s.scale ?? 'y',
            spanGaps: true,
            points: s.points ? { show: true, size: 7, fill: s.color, stroke: s.color } : { show: false },
            value: (_u, v) => (v === null || v === undefined ? '–' : s.format ? s.format(v) : v.toFixed(3)),
          }),
        ),
      ],
      hooks: {
        draw: [
          (u) => {
            const m = markerRef.current;
            if (m === null) return;
            const x = u.valToPos(m, 'x', true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = 'rgba(165, 180, 252, 0.7)';
            ctx.setLineDash([4, 4]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape changes; data and marker updates go through setData/redraw.
  }, [series.map((s) => s.label).join('|'), xLabel, yLabel, y2Label, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: marker is the trigger: the draw hook reads it through markerRef, so a changed marker only needs a redraw
  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [marker]);

  // uPlot's stylesheet is not in a cascade layer, so it beats Tailwind's utilities unless they are important (!).
  return (
    <div
      ref={box}
      data-testid={testId}
      data-points={data[0]?.length ?? 0}
      className="w-full min-w-0 [&_.u-legend]:text-xs! [&_.u-legend]:text-zinc-400! [&_.u-legend_th]:font-normal!"
    />
  );
}
