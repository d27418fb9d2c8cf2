/**
 * npm run demo -- [--per-class 3] [--best-of 100] [--out results/samples-per-class.png]
 * The predecessor's demonstration: a few samples of each of the ten classes, labelled, in one PNG.
 * Samples are quality-guided (the best of N candidates by the judge CNN, kept diverse) when the
 * judge model exists; --best-of 1 shows plain draws from the prior.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { initBackend } from '../ml/backend';
import { NUM_CLASSES } from '../../lib/classes';
import { loadJudge } from '../ml/models/judge';
import { loadVae } from '../ml/models/vae';
import { loadClassPriors } from '../ml/models/classPrior';
import { sample } from '../ml/models/sample';
import { checkCounts, qualityGuided } from '../ml/generation/select';
import { renderRows, writeOutput, type SampleRow } from '../ml/generation/render';
import { numberOption } from './options';
import { imageAt } from '../../lib/image';

const program = new Command('demo')
  .description('Write a labelled PNG with samples of every class from the conditional VAE.')
  .option('--per-class <n>', 'samples per class', numberOption, 3)
  .option('--best-of <N>', 'candidates per class the judge chooses from (1 = plain samples)', numberOption, 100)
  .option('--seed <n>', 'random seed', numberOption, 1)
  .option('--model <dir>', 'VAE folder', 'models/vae')
  .option('--judge <dir>', 'classifier folder that scores candidates', 'models/cnn')
  .option('--out <file>', 'PNG file to write', path.join('results', 'samples-per-class.png'));

await runCli(async () => {
  program.parse();
  const o = program.opts();
  checkCounts(o.perClass, Math.max(o.bestOf, o.perClass));
  if (o.perClass > 20) throw new UserFacingError(`--per-class must be at most 20 (got ${o.perClass}).`);
  if (!Number.isInteger(o.bestOf) || o.bestOf < 1)
    throw new UserFacingError(`--best-of must be a whole number of at least 1 (got ${o.bestOf}).`);
  await initBackend();
  const vae = await loadVae(o.model);
  const prior = await loadClassPriors(o.model);
  const guided = o.bestOf > 1 && existsSync(path.join(o.judge, 'model.json'));
  if (o.bestOf > 1 && !guided)
    process.stderr.write(`no judge model at ${o.judge}: showing plain samples (train it with npm run train:cnn)\n`);
  const judge = guided ? await loadJudge(o.judge) : undefined;
  const rows: SampleRow[] = [];
  for (let label = 0; label < NUM_CLASSES; label++) {
    const seed = o.seed * 1000 + label;
    if (judge) {
      const r = qualityGuided(vae.decoder, judge, label, {
        k: o.perClass,
        candidates: Math.max(o.bestOf, o.perClass),
        seed,
        prior,
      });
      const mean = r.kept.reduce((a, s) => a + s.confidence, 0) / r.kept.length;
      rows.push({ label, images: r.kept.map((s) => s.image), note: `p=${mean.toFixed(2)}` });
    } else {
      const s = sample(vae.decoder, label, o.perClass, seed, 1, prior);
      rows.push({ label, images: Array.from({ length: s.count }, (_, i) => imageAt(s.images, i).slice()) });
    }
  }
  await writeOutput(o.out, renderRows(rows));
  process.stdout.write(
    `wrote ${o.out}: ${o.perClass} samples of each class, ${judge ? `the judge's best of ${o.bestOf} candidates (p = its mean confidence)` : 'plain draws'}\n`,
  );
  process.exit(0);
});
