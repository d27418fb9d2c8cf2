/**
 * npm run assess -- --model models/vae --n-per-class 500 [--best-of 100] [--json] [--cas]
 * The honest quality assessment of a trained conditional VAE (see server/ml/assessment/quality.ts):
 * prints it (one JSON object with --json), writes results/assessment.png and .json, and stores it in
 * the database against the model's version. --cas also trains the CNN on generated images only and
 * reports its accuracy on the real test set.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { initBackend } from '../ml/backend';
import { holdOutLast, loadSplit, resolveDataDir } from '../ml/data/fashionMnist';
import { loadJudge } from '../ml/models/judge';
import {
  assessVae,
  DEFAULT_FRECHET_SPLITS,
  realReference,
  type RealSplit,
  type VaeAssessment,
} from '../ml/assessment/quality';
import { assessmentChart } from '../ml/assessment/chart';
import { casOverRuns, type CasSummary } from '../ml/assessment/cas';
import { MAX_CANDIDATES } from '../ml/generation/select';
import { writeOutput } from '../ml/generation/render';
import { countParams } from '../ml/models/storage';
import { loadVae } from '../ml/models/vae';
import { loadClassPriors } from '../ml/models/classPrior';
import { heldOutDataDir, heldOutOf, heldOutText, validationSplitText } from '../ml/training/heldOut';
import { checkTemperature, numberOption } from './options';

const program = new Command('assess')
  .description('Assess a trained conditional VAE with the judge CNN and feature-space measures.')
  .option('--model <dir>', 'VAE folder', 'models/vae')
  .option('--judge <dir>', 'classifier folder (judge and feature extractor)', 'models/cnn')
  .option('--n-per-class <count>', 'plain samples per class', numberOption, 500)
  .option('--best-of <N>', 'candidates behind each filtered sample', numberOption, 100)
  .option('--filtered-per-class <count>', 'filtered samples per class (default: min(n-per-class, 50))', numberOption)
  .option('--seed <n>', 'random seed', numberOption, 1)
  .option(
    '--seeds <list>',
    'assess once per sampling seed, comma-separated (e.g. 1,2,3), and report each and their mean; overrides --seed',
    (v: string) => v.split(',').map((x) => numberOption(x)),
  )
  .option(
    '--split <which>',
    'real images to measure against: test (the report) or validation (the last --validation training images, for choices, with a judge trained without them, i.e. train:cnn --validation; not stored in the database)',
    'test',
  )
  .option(
    '--validation <n>',
    "size of the validation hold-out for --split validation (default: the judge's, from its training log); the judge and the VAE must both have held out exactly these images",
    numberOption,
  )
  .option(
    '--frechet-splits <n>',
    'random halvings of the real test set the Fréchet figures are averaged over (fixed seeds, the same for every model)',
    numberOption,
    DEFAULT_FRECHET_SPLITS,
  )
  .option(
    '--temperature <x>',
    'latent standard deviation of every sample (1 = the prior; below 1 trades diversity for fidelity)',
    numberOption,
    1,
  )
  .option('--data-dir <dir>', 'folder with the Fashion-MNIST test files')
  .option('--out <dir>', 'where assessment.png and assessment.json go', 'results')
  .option('--json', 'print one JSON object on stdout')
  .option('--no-save', 'do not store the assessment in the database')
  .option('--cas', 'also train the CNN on generated images only and test it on real ones')
  .option('--cas-per-class <count>', 'generated training images per class for --cas', numberOption, 6000)
  .option('--cas-epochs <n>', 'training epochs for --cas', numberOption, 5)
  .option(
    '--cas-runs <n>',
    'CAS classifiers trained, each from its own seed; the figure is their mean (one run moves ~5 points with the seed)',
    numberOption,
    3,
  )
  .option('--cas-replicas <n>', 'worker threads for --cas', numberOption, Math.max(1, os.availableParallelism()));

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserFacingError(`--${name} must be a whole number from ${min} to ${max} (got ${value}).`);
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function summary(a: VaeAssessment, cas?: CasSummary): string {
  const u = a.overall.unfiltered;
  const f = a.overall.filtered;
  return [
    `measured against the real ${a.split === 'test' ? 'test' : 'validation (held-out training)'} images; judge ${a.judge.dir} (accuracy on them ${pct(a.judge.testAccuracy)}); latents from ${a.prior === 'class-fitted' ? `the per-class latent densities fitted after training (${a.priorComponents?.join('/')} Gaussians)` : 'N(0, I)'}`,
    ...(a.standardPriorUnfiltered
      ? [
          `plain samples with latents from N(0, I) instead: judge accuracy ${pct(a.standardPriorUnfiltered.accuracy)}, mean confidence ${a.standardPriorUnfiltered.meanConfidence.toFixed(4)}`,
        ]
      : []),
    ...(a.trainedPriorUnfiltered
      ? [
          `plain samples with latents from the prior it trained against, N(mu_y, I): judge accuracy ${pct(a.trainedPriorUnfiltered.accuracy)}, mean confidence ${a.trainedPriorUnfiltered.meanConfidence.toFixed(4)}`,
        ]
      : []),
    `plain samples (best of 1, ${u.count}): judge accuracy ${pct(u.accuracy)}, mean confidence ${u.meanConfidence.toFixed(4)}, confidence > 0.95: ${pct(u.shareConfident)}`,
    `filtered (best of ${a.bestOf}, ${f.count}): judge accuracy ${pct(f.accuracy)}, mean confidence ${f.meanConfidence.toFixed(4)}, confidence > 0.95: ${pct(f.shareConfident)}`,
    `Fréchet distance (judge features, ${a.frechet.sampleSize} vs ${a.frechet.sampleSize} images, mean of ${a.frechet.splits} real splits): ${a.frechet.generatedVsReal.toFixed(3)}; real vs real ${a.frechet.realVsReal.toFixed(3)} (ratio ${a.frechet.ratio.toFixed(2)}; real vs real by split ${a.frechet.perSplit.map((s) => s.realVsReal.toFixed(2)).join(', ')}); reconstructions of real images vs real ${a.frechet.reconstructionVsReal.toFixed(3)} (a reference for the samples, not a bound)`,
    `precision ${pct(a.precisionRecall.precision)}, recall ${pct(a.precisionRecall.recall)} (k = ${a.precisionRecall.k})`,
    `diversity (mean within-class feature distance): generated ${a.diversity.generated.toFixed(3)}, real ${a.diversity.real.toFixed(3)}`,
    `${a.split ?? 'test'} ELBO ${a.testElbo.elbo.toFixed(2)} nats/image (reconstruction ${a.testElbo.reconstruction.toFixed(2)}, KL ${a.testElbo.kl.toFixed(2)})`,
    ...a.perClass.map(
      (c) =>
        `  ${c.name.padEnd(12)} plain ${pct(c.unfiltered.accuracy).padStart(7)} (p ${c.unfiltered.meanConfidence.toFixed(3)})  filtered ${pct(c.filtered.accuracy).padStart(7)} (p ${c.filtered.meanConfidence.toFixed(3)})  diversity ${c.diversity.toFixed(2)}/${c.realDiversity.toFixed(2)}`,
    ),
    ...(cas
      ? [
          `CAS: CNNs trained only on ${cas.runs[0]!.trainImages} generated images score ${pct(cas.accuracy)} on the ${cas.runs[0]!.testImages} real test images (mean of ${cas.runs.length} runs, sd ${pct(cas.std)}, ${pct(cas.min)}-${pct(cas.max)}; ${cas.runs[0]!.epochs} epochs each)`,
          ...cas.runs.map(
            (r, i) =>
              `  CAS run ${i + 1} (seed ${cas.seeds[i]}): ${pct(r.accuracy)}; by epoch ${r.accuracyByEpoch.map(pct).join(', ')}`,
          ),
        ]
      : []),
  ].join('\n');
}

/**
 * The validation hold-out of --split validation: its size (--validation, else the judge's) and its
 * data folder (--data-dir, else the one the models' logs name); refused unless the judge and the
 * VAE both held out exactly those images (their training logs, every run behind them), since a
 * model that trained on them would flatter itself.
 */
async function checkedValidation(
  given: number | undefined,
  givenDir: string | undefined,
  judgeDir: string,
  vaeDir: string,
): Promise<{ count: number; dataDir: string }> {
  const models = await Promise.all([judgeDir, vaeDir].map((dir) => heldOutOf(dir)));
  const count = given ?? models[0]!.count;
  if (given !== undefined) checkRange('validation', given, 100, 30000);
  for (const m of models) {
    if (m.count === 0 || m.count !== count)
      throw new UserFacingError(
        `--split validation needs a judge and a VAE that never saw the validation images, but ${heldOutText(m)}: train them with --validation ${count || 5000}, or assess on --split test.`,
      );
  }
  // The latent prior the samples come from must not have been fitted on them either.
  const prior = (await readTrainingLog(vaeDir))?.latentPrior as { heldOut?: string; fittedOn?: number } | undefined;
  if (prior && !prior.heldOut?.startsWith(validationSplitText(count)))
    throw new UserFacingError(
      `--split validation needs a latent prior fitted without the validation images, but ${vaeDir}'s was fitted on ${prior.fittedOn ?? 'all'} training images ${prior.heldOut ? `holding out ${prior.heldOut}` : 'holding out none'}: refit it with npm run train:vae -- --fit-prior --out ${vaeDir} --validation ${count}, or assess on --split test.`,
    );
  return { count, dataDir: heldOutDataDir(models, givenDir, () => resolveDataDir('train').dir) };
}

/** The headline figures of one seed's assessment, for the comparison over seeds. */
function seedFigures(a: VaeAssessment) {
  return {
    seed: a.seed,
    frechetRatio: a.frechet.ratio,
    generatedVsReal: a.frechet.generatedVsReal,
    realVsReal: a.frechet.realVsReal,
    plainAccuracy: a.overall.unfiltered.accuracy,
    filteredAccuracy: a.overall.filtered.accuracy,
    precision: a.precisionRecall.precision,
    recall: a.precisionRecall.recall,
  };
}
type SeedFigures = ReturnType<typeof seedFigures>;

function overSeeds(perSeed: SeedFigures[]) {
  const mean = (k: keyof SeedFigures) => perSeed.reduce((a, f) => a + f[k], 0) / perSeed.length;
  return {
    seeds: perSeed.map((f) => f.seed),
    frechetRatio: mean('frechetRatio'),
    generatedVsReal: mean('generatedVsReal'),
    plainAccuracy: mean('plainAccuracy'),
    filteredAccuracy: mean('filteredAccuracy'),
    precision: mean('precision'),
    recall: mean('recall'),
  };
}

function seedsSummary(perSeed: SeedFigures[]): string {
  const m = overSeeds(perSeed);
  return [
    `over seeds ${m.seeds.join(', ')}: Fréchet ratio mean ${m.frechetRatio.toFixed(2)} (${perSeed.map((f) => `seed ${f.seed}: ${f.frechetRatio.toFixed(2)}`).join(', ')}); ` +
      `plain judge accuracy mean ${pct(m.plainAccuracy)} (${perSeed.map((f) => pct(f.plainAccuracy)).join(', ')}); ` +
      `precision ${pct(m.precision)}, recall ${pct(m.recall)}`,
  ].join('\n');
}

await runCli(async () => {
  program.parse();
  const o = program.opts();
  checkRange('n-per-class', o.nPerClass, 2, 5000);
  checkRange('best-of', o.bestOf, 1, MAX_CANDIDATES);
  const filteredPerClass = o.filteredPerClass ?? Math.min(o.nPerClass, 50);
  checkRange('filtered-per-class', filteredPerClass, 1, 5000);
  checkTemperature(o.temperature);
  checkRange('frechet-splits', o.frechetSplits, 1, 50);
  // CAS run i trains from seed + 7919 i; every run's seed must be one the training config accepts.
  const seeds = o.seeds ?? [o.seed];
  for (const seed of seeds) checkRange(o.seeds ? 'seeds' : 'seed', seed, 0, 2 ** 31 - 1 - 7919 * 10);
  if (o.cas) {
    checkRange('cas-per-class', o.casPerClass, 10, 20000);
    checkRange('cas-epochs', o.casEpochs, 1, 100);
    checkRange('cas-runs', o.casRuns, 1, 10);
    checkRange('cas-replicas', o.casReplicas, 1, 16);
  }
  const split = o.split as RealSplit;
  if (split !== 'test' && split !== 'validation')
    throw new UserFacingError(`--split must be test or validation (got ${o.split}).`);
  if (split === 'validation' && o.cas)
    throw new UserFacingError('--cas scores on the real test set: leave it out with --split validation.');
  const validation =
    split === 'validation' ? await checkedValidation(o.validation, o.dataDir, o.judge, o.model) : undefined;
  const say = (s: string): void => void process.stderr.write(s + '\n');
  await initBackend();
  const vae = await loadVae(o.model);
  const prior = await loadClassPriors(o.model);
  const judge = await loadJudge(o.judge);
  const dataDir = validation?.dataDir ?? o.dataDir ?? resolveDataDir('test').dir;
  // The validation images are those train --validation holds out: the last N of the training set.
  const real = validation
    ? holdOutLast(await loadSplit('train', dataDir), validation.count).heldOut
    : await loadSplit('test', dataDir);
  // The judge's view of the real images, the reconstructions and the ELBO do not depend on the seed: once for all seeds.
  const reference = realReference(vae, judge, real, {
    split,
    nPerClass: o.nPerClass,
    frechetSplits: o.frechetSplits,
    onProgress: say,
  });
  const assessments: VaeAssessment[] = [];
  for (const seed of seeds) {
    if (seeds.length > 1) say(`seed ${seed} (${assessments.length + 1} of ${seeds.length})`);
    assessments.push(
      await assessVae(
        vae,
        judge,
        real,
        {
          split,
          nPerClass: o.nPerClass,
          bestOf: o.bestOf,
          filteredPerClass,
          seed,
          temperature: o.temperature,
          frechetSplits: o.frechetSplits,
          prior,
          onProgress: say,
        },
        reference,
      ),
    );
  }
  const assessment = assessments[0]!;
  const perSeed = seeds.length > 1 ? assessments.map(seedFigures) : undefined;

  let cas: CasSummary | undefined;
  if (o.cas) {
    cas = await casOverRuns(
      {
        decoder: vae.decoder,
        prior,
        temperature: o.temperature,
        perClass: o.casPerClass,
        seed: seeds[0]!,
        realDataDir: dataDir,
        workDir: path.join(o.out, 'cas'),
        epochs: o.casEpochs,
        replicas: o.casReplicas,
        onEvent: (e) => {
          if (e.type === 'epoch') say(`  CAS epoch ${e.epoch + 1}: real test accuracy ${pct(e.evaluation.headline)}`);
        },
      },
      o.casRuns,
      (run, seed) =>
        say(
          `CAS run ${run + 1}/${o.casRuns} (seed ${seed}): training the CNN on ${o.casPerClass * 10} generated images for ${o.casEpochs} epochs`,
        ),
    );
  }
  const result = {
    model: o.model,
    params: countParams(vae.combined),
    dataDir,
    ...assessment,
    cas,
    ...(perSeed ? { perSeed, overSeeds: overSeeds(perSeed) } : {}),
  };
  await writeOutput(path.join(o.out, 'assessment.png'), assessmentChart(assessment, cas));
  await writeOutput(path.join(o.out, 'assessment.json'), JSON.stringify(result, null, 1) + '\n');
  say(`wrote ${path.join(o.out, 'assessment.png')} and assessment.json`);

  if (o.save && split === 'validation')
    say('not stored in the database: --split validation is for choices, not a report');
  if (o.save && split === 'test') {
    if (perSeed) say(`storing seed ${seeds[0]}'s whole assessment, with every seed's figures and their mean`);
    const { getDb, closeDb } = await import('../db');
    const { storeVaeAssessment } = await import('../ml/assessment/store');
    try {
      const { version, assessment: saved } = await storeVaeAssessment(await getDb(), o.model, result.params, result);
      await closeDb();
      say(`saved assessment ${saved.id} of model version ${version.id}`);
    } catch (err) {
      throw new UserFacingError(
        `The assessment was written to ${o.out} but not stored in the database (${(err as Error).message}): check DATABASE_URL or pass --no-save.`,
      );
    }
  }
  const text = [
    ...assessments.map(
      (a) => (seeds.length > 1 ? `seed ${a.seed}:\n` : '') + summary(a, a === assessment ? cas : undefined),
    ),
    ...(perSeed ? [seedsSummary(perSeed)] : []),
  ].join('\n');
  process.stdout.write(o.json ? JSON.stringify(result) + '\n' : text + '\n');
  process.exit(0);
});

async function readTrainingLog(dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'training-log.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
