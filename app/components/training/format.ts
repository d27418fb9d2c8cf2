/** How the training pages write figures, durations and states for people. */
import type { SessionKind, SessionState } from '../../../lib/protocol';
import { CLASS_NAMES, type ClassName } from '../../../lib/classes';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export const formatPercent = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)} %`;

/** A headline figure in its unit: accuracies as percent, the rest as numbers. */
export function formatHeadline(name: string, value: number, unit?: string | null): string {
  if (/accuracy/i.test(name)) return formatPercent(value);
  return `${value.toFixed(1)}${unit ? ` ${unit}` : ''}`;
}

export const KIND_LABEL: Record<SessionKind, string> = { cnn: 'Classifier (CNN)', vae: 'Generator (VAE)' };
export const KIND_SHORT: Record<SessionKind, string> = { cnn: 'CNN', vae: 'VAE' };

export const STATE_LABEL: Record<SessionState, string> = {
  waiting: 'Waiting to start',
  queued: 'Queued',
  training: 'Training',
  paused: 'Paused',
  finished: 'Finished',
  stopped: 'Stopped',
  failed: 'Failed',
};

/** Tailwind classes of a state's badge. */
export const STATE_TONE: Record<SessionState, string> = {
  waiting: 'bg-zinc-800 text-zinc-300 ring-zinc-700',
  queued: 'bg-amber-500/10 text-amber-300 ring-amber-500/30',
  training: 'bg-emerald-500/10 text-emerald-300 ring-emerald-500/30',
  paused: 'bg-sky-500/10 text-sky-300 ring-sky-500/30',
  finished: 'bg-indigo-500/10 text-indigo-300 ring-indigo-500/30',
  stopped: 'bg-zinc-800 text-zinc-400 ring-zinc-700',
  failed: 'bg-rose-500/10 text-rose-300 ring-rose-500/30',
};

/** Class names short enough for a confusion-matrix axis on a phone: two are shortened, the rest fit. */
const SHORTER: Partial<Record<ClassName, string>> = { 'T-shirt/top': 'T-shirt', 'Ankle boot': 'Boot' };
export const SHORT_CLASS_NAMES: readonly string[] = CLASS_NAMES.map((name) => SHORTER[name] ?? name);
