/**
 * npm run generate -- --class <index or name> --n <count> [--best-of N] --out <file.png>
 * Draws garments of one class from the trained VAE into a PNG grid. With --best-of N it draws N
 * candidates, lets the judge CNN score them and keeps the n most confident that are not
 * near-duplicates; the latents and confidences go to <out>.json beside the picture.
 */
import { Command } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { initBackend } from '../ml/backend';
import { CLASS_NAMES, parseClass } from '../ml/data/fashionMnist';
import { loadJudge } from '../ml/models/judge';
import { loadVae } from '../ml/models/vae';
import { loadClassPriors } from '../ml/models/classPrior';
import { sample } from '../ml/models/sample';
import { checkCounts, qualityGuided } from '../ml/generation/select';
import { renderRows, writeOutput } from '../ml/generation/render';
import { checkTemperature, numberOption } from './options';
import { imageAt } from '../../lib/image';

export const MAX_PLAIN_SAMPLES = 1000;

const program = new Command('generate')
  .description('Generate Fashion-MNIST garments of one class with the conditional VAE.')
  .requiredOption('--class <class>', 'class index 0-9 or name (dress, "Ankle boot", ...)')
  .option('--n <count>', 'samples in the picture', numberOption, 8)
  .option('--best-of <N>', 'draw N candidates and keep the n the judge CNN is most confident about', numberOption)
  .option(
    '--diversity <x>',
    'minimum distance between kept samples, as a fraction of the typical one (0 = plain top n)',
    numberOption,
    0.5,
  )
  .option('--seed <n>', 'random seed', numberOption, 1)
  .option('--temperature <x>', 'latent standard deviation (1 = the prior)', numberOption, 1)
  .option('--cols <n>', 'images per row', numberOption)
  .option('--model <dir>', 'VAE folder', 'models/vae')
  .option('--judge <dir>', 'classifier folder that scores candidates', 'models/cnn')
  .option('--out <file>', 'PNG file to write (default results/generated-<class>.png)');

await runCli(async () => {
  program.parse();
  const o = program.opts();
  const label = parseClass(o.class);
  if (!Number.isInteger(o.n) || o.n < 1 || (o.bestOf === undefined && o.n > MAX_PLAIN_SAMPLES)) {
    throw new UserFacingError(`--n must be a whole number from 1 to ${MAX_PLAIN_SAMPLES} (got ${o.n}).`);
  }
  if (o.bestOf !== undefined) checkCounts(o.n, o.bestOf);
  checkTemperature(o.temperature);
  if (!(o.diversity >= 0 && o.diversity <= 2))
    throw new UserFacingError(`--diversity must be from 0 to 2 (got ${o.diversity}).`);
  const cols = o.cols ?? Math.min(o.n, 10);
  if (!Number.isInteger(cols) || cols < 1)
    throw new UserFacingError(`--cols must be a whole number of at least 1 (got ${o.cols}).`);
  const out = o.out ?? `results/generated-${CLASS_NAMES[label]!.toLowerCase().replace(/[^a-z]+/g, '-')}.png`;

  await initBackend();
  const vae = await loadVae(o.model);
  const prior = await loadClassPriors(o.model);
  let record: Record<string, unknown>;
  let images: Float32Array[];
  let note: string | undefined;
  if (o.bestOf === undefined) {
    const set = sample(vae.decoder, label, o.n, o.seed, o.temperature, prior);
    images = Array.from({ length: set.count }, (_, i) => imageAt(set.images, i).slice());
    record = {
      class: CLASS_NAMES[label],
      label,
      seed: o.seed,
      temperature: o.temperature,
      bestOf: 1,
      samples: images.map((_, i) => ({
        latent: Array.from(set.latents.subarray(i * set.latentSize, (i + 1) * set.latentSize)),
      })),
    };
  } else {
    const judge = await loadJudge(o.judge);
    const result = qualityGuided(vae.decoder, judge, label, {
      k: o.n,
      candidates: o.bestOf,
      seed: o.seed,
      diversity: o.diversity,
      temperature: o.temperature,
      prior,
    });
    images = result.kept.map((s) => s.image);
    const mean = result.kept.reduce((a, s) => a + s.confidence, 0) / result.kept.length;
    note = `p=${mean.toFixed(2)}`;
    record = {
      class: CLASS_NAMES[label],
      label,
      seed: o.seed,
      temperature: o.temperature,
      bestOf: o.bestOf,
      judge: o.judge,
      diversity: o.diversity,
      minDistance: result.minDistance,
      relaxed: result.relaxed,
      samples: result.kept.map((s) => ({
        candidate: s.candidate,
        confidence: s.confidence,
        predicted: CLASS_NAMES[s.predicted],
        latent: Array.from(s.latent),
      })),
    };
    process.stderr.write(
      `kept ${result.kept.length} of ${o.bestOf} candidates, judge confidence mean ${mean.toFixed(4)}, min ${Math.min(...result.kept.map((s) => s.confidence)).toFixed(4)}` +
        (result.relaxed ? `, ${result.relaxed} below the diversity distance` : '') +
        '\n',
    );
  }
  await writeOutput(out, renderRows([{ label, images, note }], cols));
  await writeOutput(
    `${out.replace(/\.png$/i, '')}.json`,
    JSON.stringify({ model: o.model, ...record }, null, 1) + '\n',
  );
  process.stdout.write(`wrote ${out} (${images.length} ${CLASS_NAMES[label]} samples) and its .json record\n`);
  process.exit(0);
});
