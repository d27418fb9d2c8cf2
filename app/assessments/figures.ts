/**
 * What an assessment's stored metrics show on the page: headline figures and per-class series,
 * read from the shapes the CLIs store (eval:cnn's ClassifierReport fields, assess's VaeAssessment);
 * unknown shapes show whatever top-level numbers they have.
 */
export interface Figures {
  figures: { name: string; value: string }[];
  /** series name -> ten values in 0-1 */
  perClass: { name: string; values: number[] }[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

export function figuresOf(metrics: unknown): Figures {
  const figures: Figures['figures'] = [];
  const perClass: Figures['perClass'] = [];
  const add = (name: string, v: unknown, format: (n: number) => string = (n) => n.toFixed(4)) => {
    const n = num(v);
    if (n !== null) figures.push({ name, value: format(n) });
  };
  if (Array.isArray(at(metrics, 'perClass'))) {
    add('judge accuracy, unfiltered', at(metrics, 'overall', 'unfiltered', 'accuracy'), pct);
    add(
      `judge accuracy, best of ${num(at(metrics, 'bestOf')) ?? 'N'}`,
      at(metrics, 'overall', 'filtered', 'accuracy'),
      pct,
    );
    add('confidence > 0.95, filtered', at(metrics, 'overall', 'filtered', 'shareConfident'), pct);
    add('Fréchet distance', at(metrics, 'frechet', 'generatedVsReal'), (n) => n.toFixed(2));
    const splits = num(at(metrics, 'frechet', 'splits'));
    add(
      splits ? `Fréchet, real vs real (mean of ${splits} splits)` : 'Fréchet, real vs real',
      at(metrics, 'frechet', 'realVsReal'),
      (n) => n.toFixed(2),
    );
    add('Fréchet, reconstructions vs real (floor for any prior)', at(metrics, 'frechet', 'reconstructionVsReal'), (n) =>
      n.toFixed(2),
    );
    add('Fréchet ratio', at(metrics, 'frechet', 'ratio'), (n) => `${n.toFixed(1)}x`);
    // assess --seeds: the figures above are the first seed's; the mean over all seeds beside them
    const seeds = at(metrics, 'overSeeds', 'seeds');
    if (Array.isArray(seeds) && seeds.length > 1) {
      const over = `mean of seeds ${seeds.join(', ')}`;
      add(`Fréchet ratio, ${over}`, at(metrics, 'overSeeds', 'frechetRatio'), (n) => `${n.toFixed(2)}x`);
      add(`judge accuracy, unfiltered, ${over}`, at(metrics, 'overSeeds', 'plainAccuracy'), pct);
    }
    add('precision', at(metrics, 'precisionRecall', 'precision'), pct);
    add('recall', at(metrics, 'precisionRecall', 'recall'), pct);
    add('test ELBO (nats)', at(metrics, 'testElbo', 'elbo'), (n) => n.toFixed(1));
    const casRuns = at(metrics, 'cas', 'runs');
    const runCount = Array.isArray(casRuns) ? casRuns.length : 1;
    add(runCount > 1 ? `CAS accuracy, mean of ${runCount} runs` : 'CAS accuracy', at(metrics, 'cas', 'accuracy'), pct);
    if (runCount > 1) add('CAS, sd over runs', at(metrics, 'cas', 'std'), pct);
    const rows = at(metrics, 'perClass') as unknown[];
    perClass.push({ name: 'unfiltered', values: rows.map((r) => num(at(r, 'unfiltered', 'accuracy')) ?? 0) });
    perClass.push({ name: 'filtered', values: rows.map((r) => num(at(r, 'filtered', 'accuracy')) ?? 0) });
  } else {
    add('accuracy', at(metrics, 'accuracy'), pct);
    // a mirror-averaging model's network alone (eval:cnn's bareAccuracy), when it differs from what is served
    if (at(metrics, 'mirrorAveraging') !== false && num(at(metrics, 'bareAccuracy')) !== null)
      add('accuracy, network alone (no mirror)', at(metrics, 'bareAccuracy'), pct);
    add('test loss', at(metrics, 'testLoss') ?? at(metrics, 'loss'));
    add('test images', at(metrics, 'testImages') ?? at(metrics, 'count'), (n) => String(n));
    add('parameters', at(metrics, 'params'), (n) => n.toLocaleString('en'));
    if (figures.length === 0 && isObj(metrics)) for (const [k, v] of Object.entries(metrics)) add(k, v);
    const per = at(metrics, 'perClassAccuracy');
    if (Array.isArray(per)) perClass.push({ name: 'accuracy', values: per.map((v) => num(v) ?? 0) });
  }
  return { figures, perClass };
}
