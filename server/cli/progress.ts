/**
 * Training progress in a terminal: a live bar on a TTY, plain periodic lines elsewhere (CI, logs).
 * It only subscribes to the run's events, like every other viewer of a training run.
 */
import cliProgress from 'cli-progress';
import type { TrainingEvent } from '../ml/training/events';
import type { TrainingRun } from '../ml/training/run';

const pct = (x: number | undefined): string => (x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

export function attachProgress(run: TrainingRun, out: NodeJS.WriteStream = process.stderr): void {
  const tty = Boolean(out.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      stream: out,
      format:
        'epoch {epochLabel} |{bar}| {percentage}% | loss {loss} | acc {acc} | {ips} img/s | lr {lr} | ETA {etaText}',
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let epochs = 0;
  let steps = 0;
  let active = false;
  let lastLine = 0;
  let recentIps = 0;
  const line = (s: string): void => {
    if (active) bar.stop();
    active = false;
    out.write(s + '\n');
  };
  run.on('event', (e: TrainingEvent) => {
    switch (e.type) {
      case 'started':
        epochs = e.epochs;
        steps = e.stepsPerEpoch;
        line(
          `training on ${e.trainImages} images (test ${e.testImages}), ${e.params.toLocaleString('en')} parameters` +
            (e.auxiliaryParams ? ` (+ ${e.auxiliaryParams.toLocaleString('en')} trained alongside, not saved)` : '') +
            ', ' +
            `backend ${e.backend}, ${e.replicas} replica(s)` +
            (e.startEpoch > 0 ? `, resuming after epoch ${e.startEpoch}` : ''),
        );
        return;
      case 'batch': {
        recentIps = e.imagesPerSec;
        const remainingSteps = (epochs - e.epoch - 1) * steps + (steps - e.step - 1);
        const batchSize = run.config.batchSize;
        const payload = {
          epochLabel: `${e.epoch + 1}/${epochs}`,
          loss: e.loss.toFixed(4),
          acc: pct(e.accuracy),
          ips: Math.round(e.imagesPerSec),
          lr: e.lr.toExponential(2),
          etaText: eta((remainingSteps * batchSize) / Math.max(1, recentIps)),
        };
        if (tty) {
          if (!active) {
            bar.start(steps, e.step + 1, payload);
            active = true;
          } else bar.update(e.step + 1, payload);
        } else if (Date.now() - lastLine > 15000) {
          lastLine = Date.now();
          out.write(
            `epoch ${payload.epochLabel} step ${e.step + 1}/${steps} loss ${payload.loss} acc ${payload.acc} ${payload.ips} img/s ETA ${payload.etaText}\n`,
          );
        }
        return;
      }
      case 'epoch': {
        const ev = e.evaluation;
        line(
          `epoch ${e.epoch + 1}/${epochs}: train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)} | ` +
            `${ev.headlineName} ${typeof ev.headlineUnit === 'string' ? `${ev.headline.toFixed(2)} ${ev.headlineUnit}` : pct(ev.headline)}${typeof ev.drawingAccuracy === 'number' ? ` | drawing accuracy ${pct(ev.drawingAccuracy)}` : ''}${averageText(ev)}${frechetText(ev)} | ${e.seconds.toFixed(1)} s, ${Math.round(e.imagesPerSec)} img/s`,
        );
        return;
      }
      case 'paused':
        line(`paused at epoch ${e.epoch + 1}, step ${e.step + 1}`);
        return;
      case 'resumed':
        line('resumed');
        return;
      case 'finished':
        line(`training ${e.reason}${e.outDir ? `: model written to ${e.outDir}` : ''}`);
        return;
      case 'failed':
        line(`training failed: ${e.message}`);
        return;
      case 'checkpoint':
        return;
    }
  });
}

/** train:vae --frechet-judge: the validation Fréchet ratios (over the real-vs-real floor) of the epoch, and of its weight average. */
function frechetText(ev: Record<string, unknown>): string {
  const x = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(2)}x` : '-');
  if (typeof ev.validationReconstructionRatio !== 'number') return '';
  const a = ev.average as Record<string, unknown> | undefined;
  return (
    ` | validation Fréchet ratio: reconstructions ${x(ev.validationReconstructionRatio)}, samples ${x(ev.validationSampleRatio)}` +
    (a && typeof a.validationReconstructionRatio === 'number'
      ? `; average: reconstructions ${x(a.validationReconstructionRatio)}, samples ${x(a.validationSampleRatio)}`
      : '')
  );
}

/**
 * Beside a validation headline, the test figure; and the weight average's figures of the epoch
 * (train --ema): accuracy for the classifier, -ELBO (nats/image) for the VAE.
 */
function averageText(ev: Record<string, unknown>): string {
  const p = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(2)}%` : '-');
  // The VAE's figures as its headline shows them: -ELBO, nats/image, lower is better.
  const n = (x: unknown) => (typeof x === 'number' ? (-x).toFixed(2) : '-');
  const vae = typeof ev.testElbo === 'number';
  const [fmt, key] = vae ? [n, 'Elbo'] : [p, 'Accuracy'];
  const validated = typeof ev[`validation${key}`] === 'number';
  const test = validated ? ` | test ${vae ? '-ELBO ' : ''}${fmt(ev[`test${key}`])}` : '';
  const a = ev.average as Record<string, unknown> | undefined;
  if (!a) return test;
  const figures = validated
    ? `validation ${fmt(a[`validation${key}`])}, test ${fmt(a[`test${key}`])}`
    : `test ${fmt(a[`test${key}`])}`;
  return `${test} | average: ${figures}${typeof a.drawingAccuracy === 'number' ? `, drawings ${p(a.drawingAccuracy)}` : ''}`;
}
