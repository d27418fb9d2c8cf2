/**
 * npm run train:vae -- --epochs 22 --batch-size 128 --lr 0.001 --beta 0.1 --latent 32 --seed 42 --perceptual 1 --perceptual-layers 3 --adversarial 40 --out models/vae
 * Trains the conditional VAE with the project's training loop (worker threads, progress bar,
 * per-epoch checkpoints, resume), then writes the model folder as encoder/ + decoder/ beside
 * training-log.json, and fits the per-class latent Gaussians generation samples from
 * (latent-prior.json).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { runCli, UserFacingError } from '../errors';
import { backendInfo, initBackend } from '../ml/backend';
import { loadLayersModel } from '../ml/models/storage';
import { averageVaes, loadVae, saveVae, splitCombined, splitVaeFolder, VaeArchSchema } from '../ml/models/vae';
import { ADVERSARIAL_WEIGHT } from '../ml/models/critic';
import { loadFeatureExtractor, PERCEPTUAL_LAYERS, PERCEPTUAL_MODEL, PERCEPTUAL_WEIGHT } from '../ml/models/perceptual';
import { holdOutLast, loadSplit, resolveDataDir, seededSubset } from '../ml/data/fashionMnist';
import { fitClassPriors, PRIOR_FILE, saveClassPriors } from '../ml/models/classPrior';
import type { TrainingLog } from '../ml/training/events';
import { TrainingConfigSchema } from '../ml/training/config';
import { checkpointFolder } from '../ml/training/checkpoint';
import { heldOutCountOf, heldOutDataDir, heldOutOf, heldOutText, validationSplitText } from '../ml/training/heldOut';
import { greedySoup } from '../ml/training/soup';
import { PRIOR_FIT_COUNT } from '../ml/training/task';
import { validationFrechet, validationReference } from '../ml/training/vaeTask';
import { loadJudge } from '../ml/models/judge';
import { configFromOptions, numberOption } from './options';
import { addTrainingOptions, commandLine, recordInTrainingLog, trainingFields, trainWithProgress } from './training';

const program = addTrainingOptions(
  new Command('train:vae').description('Train the conditional VAE that generates Fashion-MNIST garments.'),
  {
    epochs: 20,
    batchSize: 128,
    lr: 0.001,
    replicas: 1,
    out: 'models/vae',
    seedDecides: 'weights, data order, latent noise',
  },
)
  .option(
    '--beta <x>',
    'weight of the KL term after warm-up (1 = the ELBO; 0.1 gave sharper samples, see models/vae)',
    numberOption,
    0.1,
  )
  .option('--kl-warmup <epochs>', 'epochs over which the KL weight rises to beta (default 0.25)', numberOption)
  .option(
    '--kl-warmup-start <x>',
    'KL weight at the start of the warm-up, as a fraction of beta (default 0.5)',
    numberOption,
  )
  .option('--latent <n>', 'latent dimensions', numberOption, 32)
  .option('--prior <kind>', 'KL prior: class (a learned mean per class) or standard (N(0, I))', 'class')
  .option('--res-blocks <n>', 'residual blocks per resolution stage', numberOption)
  .option('--full-res <channels>', 'channels of a 28x28 decoder stage (default 0 = none)', numberOption)
  .option(
    '--perceptual <weight>',
    "weight of the perceptual loss: the reconstruction's conv features in a frozen CNN must match the original's (0 = none)",
    numberOption,
    PERCEPTUAL_WEIGHT,
  )
  .option(
    '--perceptual-model <dir>',
    'the garment CNN (from npm run train:cnn; not the judge, models/cnn) whose features --perceptual matches',
    path.join('models', PERCEPTUAL_MODEL),
  )
  .option(
    '--adversarial <weight>',
    'weight of an adversarial term: a small class-conditional critic trained alongside tells training images from reconstructions, and the decoder learns to fool it (0 = none; the committed model: 40, see README)',
    numberOption,
    ADVERSARIAL_WEIGHT,
  )
  .option(
    '--critic-filters <list>',
    "channels of the critic's stride-2 convolutions, comma-separated (default 16,32)",
    (v: string) => v.split(',').map(Number),
  )
  .option('--critic-dense <n>', "units of the critic's dense layer (default 64)", numberOption)
  .option(
    '--perceptual-layers <n>',
    'conv stages of that CNN whose features are matched: 1-3 (28x28, 14x14, 7x7)',
    numberOption,
    PERCEPTUAL_LAYERS,
  )
  .option(
    '--init-from <dir>',
    'start from the encoder and decoder of a trained VAE folder (fine-tuning, e.g. with a new --critic-filters) instead of fresh weights; its training log is kept in the new one',
  )
  .option(
    '--frechet-judge <dir>',
    "with --validation (or --greedy-soup): a classifier folder (e.g. models/cnn; it must have held out the same images) in whose features every epoch (or every soup) measures the Fréchet ratio of the decoder's reconstructions and of plain samples to the validation images, as assess does; the run saves the weights with the lowest reconstruction ratio instead of the best validation ELBO (it adds a judge pass over the validation images' reconstructions and samples to every evaluation: ~45 s per scored set of weights on the 2-core machine with 5,000 validation images and models/cnn as judge; part of the resume key: a checkpoint made without it, or with another judge, does not resume)",
  )
  .option(
    '--from-checkpoint <dir>',
    'train nothing: write the last checkpoint in <dir> as the model in --out (a run stopped early)',
  )
  .option(
    '--average <dirs>',
    'train nothing: write the weight average (a "model soup") of these comma-separated VAE folders, fine-tuned from one model, as the model in --out, and fit its latent prior',
    (v: string) =>
      v
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
  )
  .option(
    '--greedy-soup',
    "with --average: put into the average only the folders that do not hurt on the validation images (a greedy soup: the best alone first, then each next best kept only when the average with it has no worse a validation reconstruction Fréchet ratio, as a run with --frechet-judge chooses its epochs); needs --frechet-judge, and folders and a judge that all held out the same validation images (--validation, default: the folders'). Each scoring takes ~45-60 s on the 2-core machine with 5,000 validation images; n folders take 2n - 1",
  )
  .option(
    '--fit-prior',
    'train nothing: refit the per-class latent densities (latent-prior.json) of the model in --out',
  )
  .option(
    '--prior-components <k>',
    'Gaussians per class in the fitted latent prior (a mixture when > 1; on the first, 22-epoch step of the committed model 10/30/60 gave a Fréchet distance of 3.69/3.43/3.28, see README)',
    numberOption,
    60,
  );

/**
 * The Fréchet judge loads as a judge, before any worker starts, and must have held out exactly the
 * validation images: features of images it trained on would flatter the real side.
 */
async function checkFrechetJudge(dir: string, validationCount: number): Promise<void> {
  if (validationCount === 0)
    throw new UserFacingError(
      '--frechet-judge measures against the validation images: give --validation too (e.g. 5000).',
    );
  await initBackend();
  try {
    (await loadJudge(dir)).model.dispose();
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    throw new UserFacingError(
      `--frechet-judge: no classifier at ${dir} (${err instanceof Error ? err.message : err}): give a folder written by npm run train:cnn.`,
    );
  }
  const held = await heldOutCountOf(dir);
  if (held !== validationCount)
    throw new UserFacingError(
      `--frechet-judge: ${dir} ${held === 0 ? 'trained on all training images' : `held out ${validationSplitText(held)}`}, but this run holds out ${validationSplitText(validationCount)}: use a classifier trained with --validation ${validationCount}.`,
    );
}

function checkComponents(components: number): void {
  if (!Number.isInteger(components) || components < 1 || components > 64) {
    throw new UserFacingError(`--prior-components must be a whole number from 1 to 64 (got ${components}).`);
  }
}

/**
 * Fits and writes the per-class latent densities generation samples from (see classPrior.ts), and
 * records how in the model's training-log.json (latentPrior), so the folder stays reproducible.
 */
async function fitPrior(
  out: string,
  dataDir: string | undefined,
  components: number,
  seed: number,
  /** the last this many training images are the validation set: the prior is fitted without them */
  validationCount: number,
): Promise<void> {
  checkComponents(components);
  await initBackend();
  const vae = await loadVae(out);
  const all = await loadSplit('train', dataDir ?? resolveDataDir('train').dir);
  const train = validationCount > 0 ? holdOutLast(all, validationCount).rest : all;
  const t0 = performance.now();
  // Minutes for many components (60 per class: ~5 min on 2 cores), in one synchronous pass.
  process.stderr.write(
    `fitting ${components === 1 ? 'one Gaussian' : `${components} Gaussians`} per class to ${train.count} training images' latent codes${components > 10 ? ' (a few minutes)' : ''}...\n`,
  );
  await saveClassPriors(fitClassPriors(vae.encoder, train, { components, seed }), out);
  const seconds = (performance.now() - t0) / 1000;
  await recordInTrainingLog(out, 'latentPrior', {
    components,
    seed,
    fittedOn: train.count,
    ...(validationCount > 0 ? { heldOut: `${validationSplitText(validationCount)} (validation)` } : {}),
    seconds,
    fittedAt: new Date().toISOString(),
    command: commandLine('train:vae'),
  });
  const what = components === 1 ? 'one Gaussian' : `a mixture of ${components} Gaussians`;
  process.stderr.write(
    `wrote ${path.join(out, PRIOR_FILE)} (${what} per class from ${train.count} training images, ${seconds.toFixed(0)} s)\n`,
  );
}

/** A VAE folder's training log (for a run that starts from it or averages it), without its pictures. */
async function readModelLog(dir: string, flag: string): Promise<unknown> {
  try {
    // Its per-epoch pictures (data URLs) are left out: the figures are what the chain needs.
    return JSON.parse(await readFile(path.join(dir, 'training-log.json'), 'utf8'), (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith('data:') ? undefined : value,
    ) as unknown;
  } catch {
    throw new UserFacingError(
      `${dir} has no readable training-log.json: ${flag} takes folders written by npm run train:vae.`,
    );
  }
}

/** What --greedy-soup chooses with: the judge, and the validation hold-out (--validation, --data-dir). */
interface SoupOptions {
  judge: string;
  validation: number | undefined;
  dataDir: string | undefined;
}

/**
 * The average of `dirs` (or one of them alone) best on the validation images by the greedy soup
 * (ml/training/soup.ts), scored as a run with --frechet-judge scores its epochs (the validation
 * reconstruction Fréchet ratio, vaeTask.ts); every soup tried is in the returned record.
 */
async function chooseSoup(dirs: string[], o: SoupOptions) {
  const held = await Promise.all(dirs.map((dir) => heldOutOf(dir)));
  const count = o.validation ?? held[0]!.count;
  for (const h of held) {
    if (h.count > 0 && h.count === count) continue;
    const fix =
      h.count === 0
        ? 'average VAEs trained with --validation, or leave out --greedy-soup'
        : o.validation !== undefined
          ? `pass --validation ${h.count} or leave it out`
          : 'average VAEs that held out the same images';
    throw new UserFacingError(
      `--greedy-soup chooses on validation images no ingredient trained on, but ${heldOutText(h)}${h.count > 0 ? `, not ${validationSplitText(count)}` : ''}: ${fix}.`,
    );
  }
  await checkFrechetJudge(o.judge, count);
  const judgeHeld = await heldOutOf(o.judge);
  const dataDir = heldOutDataDir([judgeHeld, ...held], o.dataDir, () => resolveDataDir('train').dir);
  const { rest, heldOut: validation } = holdOutLast(await loadSplit('train', dataDir), count);
  // The latent prior each soup samples with is fitted on training images, as a run's epochs do.
  const priorFit = seededSubset(rest, PRIOR_FIT_COUNT, 3);
  const judge = await loadJudge(o.judge);
  const reference = validationReference(judge, validation);
  const figures = new Map<string, ReturnType<typeof validationFrechet>>();
  const say = (line: string) => process.stderr.write(`greedy soup: ${line}\n`);
  say(
    `scoring ${dirs.length} VAEs alone, then soups, on ${validationSplitText(count)} of ${dataDir} (judge ${o.judge})`,
  );
  const soup = await greedySoup(
    dirs,
    async (members) => {
      const vaes = await Promise.all(members.map((d) => loadVae(d)));
      const vae = vaes.length > 1 ? averageVaes(vaes, [...members]) : vaes[0]!;
      // Latents from one Gaussian per class fitted on training images, as a run's evaluation does.
      const f = validationFrechet(vae, judge, reference, fitClassPriors(vae.encoder, priorFit));
      figures.set(members.join(','), f);
      vaes.forEach((v) => v.combined.dispose());
      return f.validationReconstructionRatio;
    },
    say,
  );
  judge.model.dispose();
  const of = (members: string[]) => {
    const f = figures.get(members.join(','))!;
    return {
      validationReconstructionRatio: f.validationReconstructionRatio,
      validationSampleRatio: f.validationSampleRatio,
    };
  };
  return {
    chosen: soup.chosen,
    record: {
      chosenOn: 'validation reconstruction Fréchet ratio',
      judge: o.judge,
      validationImages: count,
      dataDir,
      realVsReal: reference.realVsReal,
      alone: soup.alone.map((a) => ({ dir: a.ingredient, ...of([a.ingredient]) })),
      steps: soup.steps.map((step) => ({
        added: step.added,
        kept: step.kept,
        members: step.members,
        ...of(step.members),
      })),
      chosen: soup.chosen,
      ...of(soup.chosen),
    },
  };
}

/**
 * Writes the weight average of the VAE folders `dirs` to `out` (averageVaes), with a training log
 * that holds each one's log (so the chain of commands stays reproducible) and the shared
 * architecture (config.arch, as bench:ml reads it). With `soup` (--greedy-soup) only the folders
 * the greedy soup keeps are averaged (one alone is copied), and the log records every soup tried.
 */
async function writeAverage(dirs: string[], out: string, soup?: SoupOptions): Promise<void> {
  if (dirs.length < 2)
    throw new UserFacingError(`--average needs at least two VAE folders, comma-separated (got ${dirs.length}).`);
  // Every model and every log is read before anything is written: --out may be one of them.
  await initBackend();
  const t0 = performance.now();
  const greedy = soup ? await chooseSoup(dirs, soup) : undefined;
  const members = greedy?.chosen ?? dirs;
  const vaes = await Promise.all(members.map((d) => loadVae(d)));
  const logs = await Promise.all(members.map((d) => readModelLog(d, '--average')));
  const average = vaes.length > 1 ? averageVaes(vaes, members) : vaes[0]!;
  await saveVae(average, out);
  const first = logs[0] as { config?: { arch?: unknown } };
  const log = {
    kind: 'vae',
    command: commandLine('train:vae'),
    backend: backendInfo()?.name,
    config: { arch: first.config?.arch },
    // One folder when the greedy soup kept one alone: an "average" of one, so the chain stays readable the same way.
    averageOf: members.map((dir, i) => ({ dir, log: logs[i] })),
    ...(greedy ? { greedySoup: greedy.record } : {}),
    seconds: (performance.now() - t0) / 1000,
    finishedAt: new Date().toISOString(),
  };
  await writeFile(path.join(out, 'training-log.json'), JSON.stringify(log, null, 2) + '\n');
  vaes.forEach((v) => v.combined.dispose());
  process.stderr.write(
    `wrote ${out}/encoder and ${out}/decoder: ${vaes.length > 1 ? `the weight average of ${vaes.length} VAEs` : `${members[0]} alone (no average was better on validation)`}\n`,
  );
}

/** Writes a checkpoint's model and log as a model folder, the log saying where the run stopped. */
async function exportCheckpoint(dir: string, out: string): Promise<void> {
  let state: { epochsCompleted: number; log: TrainingLog; files?: string };
  try {
    state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as typeof state;
  } catch {
    throw new UserFacingError(
      `No checkpoint in ${dir} (state.json missing or unreadable): pass the --checkpoint-dir of a VAE training run.`,
    );
  }
  if (state.log.kind !== 'vae')
    throw new UserFacingError(`The checkpoint in ${dir} is of a ${state.log.kind}, not a VAE.`);
  await initBackend();
  const vae = splitCombined(await loadLayersModel(path.join(checkpointFolder(dir, state), 'model')));
  await saveVae(vae, out);
  const planned = Number((state.log.config as { epochs?: number }).epochs);
  const log = {
    ...state.log,
    stoppedEarly: { epochsCompleted: state.epochsCompleted, epochsPlanned: planned },
    exportedFrom: dir,
  };
  await writeFile(path.join(out, 'training-log.json'), JSON.stringify(log, null, 2) + '\n');
  process.stderr.write(
    `wrote ${out}/encoder, ${out}/decoder and training-log.json from the checkpoint after epoch ${state.epochsCompleted} of ${planned}\n`,
  );
}

await runCli(async () => {
  program.parse();
  const o = program.opts();
  // Before any mode runs or writes weights: a training would otherwise fail only after hours, at
  // its prior fit, leaving the new weights beside the old prior.
  checkComponents(o.priorComponents as number);
  if (o.greedySoup && !o.average)
    throw new UserFacingError('--greedy-soup chooses which --average folders go into the average: give --average too.');
  if (o.fromCheckpoint || o.fitPrior || o.average) {
    if (o.average && o.fromCheckpoint)
      throw new UserFacingError('--average and --from-checkpoint both write the model in --out: give one of them.');
    if (o.greedySoup && !o.frechetJudge)
      throw new UserFacingError(
        "--greedy-soup scores each average in a judge's features: give --frechet-judge (e.g. a CNN trained with --validation 5000).",
      );
    if (o.fromCheckpoint) await exportCheckpoint(o.fromCheckpoint as string, o.out as string);
    if (o.average) {
      await writeAverage(
        o.average as string[],
        o.out as string,
        o.greedySoup ? { judge: o.frechetJudge, validation: o.validation, dataDir: o.dataDir } : undefined,
      );
    }
    // Without --validation, the images the model itself held out (its training log) stay out of the prior.
    const validation = (o.validation as number | undefined) ?? (await heldOutCountOf(o.out as string));
    if (!Number.isInteger(validation) || validation < 0)
      throw new UserFacingError(`--validation must be a whole number of images, 0 or more (got ${validation}).`);
    // Those held-out images are the last of the folder the model's runs trained from (their logs).
    const dataDir =
      validation > 0
        ? heldOutDataDir([await heldOutOf(o.out as string)], o.dataDir, () => resolveDataDir('train').dir)
        : (o.dataDir as string | undefined);
    await fitPrior(o.out as string, dataDir, o.priorComponents as number, o.seed as number, validation);
    process.exit(0);
  }
  // Flags without a CLI default are left out when not given, so the architecture's defaults apply
  // (and the feature CNN's folder only when there is a perceptual loss).
  const optional = {
    klWarmupEpochs: o.klWarmup,
    klWarmupStart: o.klWarmupStart,
    resBlocks: o.resBlocks,
    fullRes: o.fullRes,
    criticFilters: o.criticFilters,
    criticDense: o.criticDense,
    perceptualModel: o.perceptual > 0 ? o.perceptualModel : undefined,
  };
  const arch: Record<string, unknown> = {
    latent: o.latent,
    beta: o.beta,
    prior: o.prior,
    perceptualWeight: o.perceptual,
    perceptualLayers: o.perceptualLayers,
    // Only when used: the architectures (and checkpoint keys) of runs without it stay as they were.
    ...(o.adversarial !== 0 ? { adversarialWeight: o.adversarial } : {}),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
  const config = configFromOptions(TrainingConfigSchema, {
    ...trainingFields(o, 'train:vae'),
    task: 'vae',
    // Shifted or mirrored garments would be drawn too: the VAE must learn the data as it is.
    augment: false,
    arch,
    ...(o.initFrom ? { initFrom: o.initFrom } : {}),
    // Normalized: the path is part of the resume key, so models/cnn and models/cnn/ must be one judge.
    ...(o.frechetJudge ? { frechetJudge: path.normalize(o.frechetJudge as string).replace(/(.)\/+$/, '$1') } : {}),
  });
  if (config.frechetJudge) await checkFrechetJudge(config.frechetJudge, config.validationCount);
  // Validate the architecture here, so a bad --latent is one line before any worker starts.
  const parsed = VaeArchSchema.safeParse(arch);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UserFacingError(`Invalid VAE option ${String(i.path[0])}: ${i.message}.`);
  }
  if (parsed.data.perceptualWeight > 0) {
    // Loaded here too, so a wrong folder is one clear line before any worker starts.
    await initBackend();
    await loadFeatureExtractor(parsed.data.perceptualModel!, parsed.data.perceptualLayers);
  }
  // Read before training: --out may be the same folder, and the chain of runs stays in the log.
  // The VAE is loaded here only to check it is one: a wrong folder is one line before any worker starts.
  if (o.initFrom) {
    await initBackend();
    (await loadVae(o.initFrom as string)).combined.dispose();
  }
  const initLog = o.initFrom ? await readModelLog(o.initFrom as string, '--init-from') : undefined;
  const result = await trainWithProgress(config);
  if (result.outDir) {
    await initBackend();
    await splitVaeFolder(result.outDir);
    if (initLog) await recordInTrainingLog(result.outDir, 'initialisedFrom', { dir: o.initFrom, log: initLog });
    await fitPrior(result.outDir, config.dataDir, o.priorComponents as number, config.seed, config.validationCount);
  }
  const last = result.log.epochs.at(-1);
  if (last) {
    process.stderr.write(
      `final test ELBO ${(last.evaluation.testElbo as number).toFixed(2)} nats/image after ${result.log.epochs.length} epochs, ` +
        `${(result.log.trainSeconds / 60).toFixed(1)} min of training` +
        (result.outDir ? `; model in ${result.outDir}/encoder and ${result.outDir}/decoder\n` : '\n'),
    );
    const best = result.log.selection?.best;
    if (best?.validationElbo !== undefined) {
      const which = `${best.weights === 'average' ? 'weight average' : 'trained weights'} after epoch ${best.epoch + 1}`;
      process.stderr.write(
        best.validationReconstructionRatio !== undefined
          ? `saved: the ${which}, chosen on the validation reconstruction Fréchet ratio ${best.validationReconstructionRatio.toFixed(2)}x (samples ${best.validationSampleRatio?.toFixed(2)}x; validation ELBO ${best.validationElbo.toFixed(2)} nats/image)\n`
          : `saved: the ${which}, chosen on validation ELBO ${best.validationElbo.toFixed(2)} nats/image (test ${best.testElbo?.toFixed(2)})\n`,
      );
    }
  }
  process.exit(0);
});
