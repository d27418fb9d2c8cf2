/**
 * The assessment as a picture (results/assessment.png): for every class, bars of the judge's
 * accuracy on plain and on best-of-N samples and the share of plain samples above 0.95
 * confidence (and, when CAS ran, the per-class real test accuracy of the classifiers trained on
 * generated images), with the headline figures written underneath. Drawn with the project's raster module.
 */
import { createImage, drawText, encodePng, fillRect, textWidth, type Rgb } from '../image';
import { CONFIDENT, type VaeAssessment } from './quality';
import type { CasSummary } from './cas';

interface Series {
  name: string;
  color: Rgb;
  value: (c: VaeAssessment['perClass'][number]) => number;
}

const SERIES: Series[] = [
  { name: 'judge accuracy, plain samples (best of 1)', color: [90, 160, 230], value: (c) => c.unfiltered.accuracy },
  { name: 'judge accuracy, filtered (best of N)', color: [240, 170, 60], value: (c) => c.filtered.accuracy },
  {
    name: `plain samples with confidence > ${CONFIDENT}`,
    color: [120, 200, 120],
    value: (c) => c.unfiltered.shareConfident,
  },
];

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function assessmentChart(a: VaeAssessment, cas?: CasSummary): Buffer {
  const series: Series[] = cas
    ? [
        ...SERIES,
        {
          name: 'CAS: classifier trained on generated images, real test images',
          color: [170, 110, 200],
          value: (c) => cas.perClassAccuracy[c.label]!,
        },
      ]
    : SERIES;
  const scale = 2;
  const bar = 10;
  const group = series.length * bar + 16;
  const left = 50;
  const top = 30;
  const plotH = 200;
  const width = left + a.perClass.length * group + 20;
  const lines = [
    `FRECHET (JUDGE FEATURES, MEAN OF ${a.frechet.splits} REAL SPLITS): ${a.frechet.generatedVsReal.toFixed(2)}, REAL VS REAL ${a.frechet.realVsReal.toFixed(2)} (${a.frechet.ratio.toFixed(1)}X)`,
    `PRECISION ${pct(a.precisionRecall.precision)}  RECALL ${pct(a.precisionRecall.recall)}  DIVERSITY ${a.diversity.generated.toFixed(2)} (REAL ${a.diversity.real.toFixed(2)})`,
    `${(a.split ?? 'test').toUpperCase()} ELBO ${a.testElbo.elbo.toFixed(1)} NATS/IMAGE; BEST OF ${a.bestOf}; ${a.nPerClass} PLAIN, ${a.filteredPerClass} FILTERED PER CLASS`,
    `OVERALL ACCURACY: PLAIN ${pct(a.overall.unfiltered.accuracy)}, FILTERED ${pct(a.overall.filtered.accuracy)}`,
    ...(cas
      ? [
          `CAS ${pct(cas.accuracy)}: MEAN OF ${cas.runs.length} RUNS (SD ${pct(cas.std)}, ${pct(cas.min)}-${pct(cas.max)})`,
        ]
      : []),
  ];
  const legendTop = top + plotH + 40;
  const textTop = legendTop + series.length * 12 + 8;
  const img = createImage(Math.max(width, 440), textTop + lines.length * 12 + 10, [250, 250, 250]);
  const ink: Rgb = [30, 30, 30];
  drawText(img, 'CONDITIONAL VAE: JUDGE CNN ON GENERATED SAMPLES, PER CLASS', 8, 8, ink);
  for (let t = 0; t <= 4; t++) {
    const y = top + plotH - (t * plotH) / 4;
    fillRect(img, left - 4, Math.round(y), a.perClass.length * group + 8, 1, [210, 210, 210]);
    drawText(img, `${t * 25}%`, left - 6 - textWidth(`${t * 25}%`), Math.round(y) - 3, ink);
  }
  a.perClass.forEach((c, i) => {
    const x0 = left + i * group;
    series.forEach((s, j) => {
      const h = Math.round(plotH * Math.max(0, Math.min(1, s.value(c))));
      fillRect(img, x0 + j * bar, top + plotH - h, bar - 2, h, s.color);
    });
    const label = c.name.split(/[ /]/)[0]!.slice(0, 7).toUpperCase();
    drawText(img, label, x0, top + plotH + 6, ink);
    drawText(img, String(c.label), x0, top + plotH + 16, [120, 120, 120]);
  });
  series.forEach((s, j) => {
    fillRect(img, 8, legendTop + j * 12, 8, 8, s.color);
    drawText(img, s.name.toUpperCase(), 20, legendTop + j * 12, ink);
  });
  lines.forEach((l, j) => drawText(img, l, 8, textTop + j * 12, ink));
  return encodePng(upscale(img, scale));
}

function upscale(img: ReturnType<typeof createImage>, s: number): ReturnType<typeof createImage> {
  const out = createImage(img.width * s, img.height * s);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const src = (Math.floor(y / s) * img.width + Math.floor(x / s)) * 4;
      const dst = (y * out.width + x) * 4;
      for (let k = 0; k < 4; k++) out.data[dst + k] = img.data[src + k]!;
    }
  }
  return out;
}
