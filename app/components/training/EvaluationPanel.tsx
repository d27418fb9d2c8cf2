/**
 * One epoch's evaluation, as pictures: for the CNN the confusion matrix and its guesses on the
 * probe images, for the VAE its reconstructions of test images and a class-by-class sample grid.
 */
import type { SessionEvent, SessionKind } from '../../../lib/protocol';
import { ConfusionMatrix } from './ConfusionMatrix';
import { Figure } from './Figure';
import { formatPercent } from './format';
import { PixelCanvas } from './PixelCanvas';
import { ProbeGrid } from './ProbeGrid';

type EpochEvent = Extract<SessionEvent, { type: 'epoch' }>;

/** The VAE's pictures of an epoch, in the order shown. */
const vaeFigures = [
  {
    key: 'reconstructions',
    caption: 'Test images (top) and how the VAE redraws them',
    alt: "Test images and the VAE's reconstructions",
    maxScale: 3,
  },
  {
    key: 'samples',
    caption: 'New garments it draws, four per class (the same random seeds every epoch)',
    alt: 'Garments the VAE generated, four per class',
    maxScale: 2,
  },
] as const;

export function EvaluationPanel({
  kind,
  epoch,
  probeImages,
}: {
  kind: SessionKind;
  epoch: EpochEvent;
  probeImages: string[];
}) {
  const e = epoch.evaluation;
  const facts =
    kind === 'cnn'
      ? [
          ['test accuracy', e.testAccuracy !== undefined ? formatPercent(e.testAccuracy) : '–'],
          ['train accuracy', epoch.trainAccuracy !== undefined ? formatPercent(epoch.trainAccuracy) : '–'],
          ['test loss', e.testLoss?.toFixed(3) ?? '–'],
          ['speed', `${Math.round(epoch.imagesPerSec)} img/s`],
        ]
      : [
          ['test −ELBO', `${(typeof e.testElbo === 'number' ? -e.testElbo : e.headline).toFixed(1)} nats`],
          ['train loss', epoch.trainLoss.toFixed(1)],
          ['KL weight (beta)', String(e.klWeight ?? '–')],
          ['speed', `${Math.round(epoch.imagesPerSec)} img/s`],
          // The critic's mean P(real) on test images and on their reconstructions (vaeTask.ts): near 0.5 / 0.5 it is fooled.
          ...(e.criticRealScore !== undefined && e.criticReconstructionScore !== undefined
            ? [
                [
                  'critic P(real): test / recon.',
                  `${e.criticRealScore.toFixed(2)} / ${e.criticReconstructionScore.toFixed(2)}`,
                ],
              ]
            : []),
        ];
  return (
    <div data-testid="evaluation" data-epoch={epoch.epoch} className="flex flex-col gap-5">
      <dl className={`grid grid-cols-2 gap-3 ${facts.length > 4 ? 'sm:grid-cols-5' : 'sm:grid-cols-4'}`}>
        {facts.map(([k, v]) => (
          <div key={k} className="rounded-lg bg-zinc-800/50 px-3 py-2">
            <dt className="text-[11px] uppercase tracking-wider text-zinc-500">{k}</dt>
            <dd className="text-lg font-semibold tabular-nums text-zinc-100">{v}</dd>
          </div>
        ))}
      </dl>
      {kind === 'cnn' ? (
        <div className="grid gap-6 xl:grid-cols-2">
          {e.confusionMatrix && (
            <Figure caption="Confusion matrix">
              <ConfusionMatrix matrix={e.confusionMatrix} />
            </Figure>
          )}
          {probeImages.length > 0 && (
            <Figure caption="Guesses on the same test images every epoch">
              <ProbeGrid images={probeImages} probes={e.probes} />
            </Figure>
          )}
        </div>
      ) : (
        <div className="flex flex-col gap-6">
          {vaeFigures.map(
            ({ key, caption, alt, maxScale }) =>
              e[key] && (
                <Figure key={key} caption={caption}>
                  <PixelCanvas testId={key} src={e[key]} alt={alt} maxScale={maxScale} />
                </Figure>
              ),
          )}
        </div>
      )}
    </div>
  );
}
