/** A version's headline figure from its stored metrics (whatever shape its source wrote), or null. */
export function headlineOf(metrics: unknown): string | null {
  if (!metrics || typeof metrics !== 'object') return null;
  const m = metrics as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const accuracy = n(m.accuracy);
  if (accuracy !== null) return `test accuracy ${(accuracy * 100).toFixed(2)} %`;
  const headline = n(m.headline);
  if (headline !== null)
    return `${typeof m.headlineName === 'string' ? m.headlineName : 'headline'} ${headline <= 1 ? `${(headline * 100).toFixed(2)} %` : headline.toFixed(2)}`;
  const ratio = n(m.frechetRatio);
  if (ratio !== null) return `Fréchet ratio ${ratio.toFixed(2)}x`;
  return null;
}
