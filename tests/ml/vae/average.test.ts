/**
 * Weight averaging ("model soup") of VAEs fine-tuned from one model: the committed models/vae is
 * such an average (README, train:vae --average).
 */
import { existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend } from '../../../server/ml/backend';
import { averageVaes, buildVae, loadVae, saveVae, type Vae } from '../../../server/ml/models/vae';
import { FIXTURE_DIR, tempDir } from '../data/fixture';
import { errorLines, runCliScript } from '../../helpers/cli';
import { tinyCnn } from '../../helpers/models';
import { saveLayersModel } from '../../../server/ml/models/storage';
import { loadJudge } from '../../../server/ml/models/judge';
import { holdOutLast, loadSplit } from '../../../server/ml/data/fashionMnist';
import { fitClassPriors } from '../../../server/ml/models/classPrior';
import { validationFrechet, validationReference } from '../../../server/ml/training/vaeTask';

const SMALL = { latent: 8, filters: [8, 16] as [number, number], fullRes: 0, dense: 64, klWarmupEpochs: 0 };

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

const weights = (m: tfTypes.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
/** Element-wise mean of the VAEs' encoder and decoder weights, computed here in plain numbers. */
const expectedMean = (vaes: Vae[]) =>
  (['encoder', 'decoder'] as const).map((part) => {
    const all = vaes.map((v) => weights(v[part]));
    return all[0]!.map((w, i) => w.map((_, j) => all.reduce((sum, a) => sum + a[i]![j]!, 0) / all.length));
  });
const closeTo = (actual: number[][], expected: number[][]) => {
  expect(actual.map((w) => w.length)).toEqual(expected.map((w) => w.length));
  const worst = Math.max(...actual.flatMap((w, i) => w.map((v, j) => Math.abs(v - expected[i]![j]!))));
  expect(worst).toBeLessThan(1e-6);
};

describe('averageVaes (a model soup)', () => {
  it('sets every encoder and decoder weight to the mean of the given VAEs', () => {
    const vaes = [buildVae(SMALL, 1), buildVae(SMALL, 2), buildVae(SMALL, 3)];
    const [encoder, decoder] = expectedMean(vaes);
    expect(weights(vaes[0]!.decoder)).not.toEqual(weights(vaes[1]!.decoder));
    const average = averageVaes(vaes);
    expect(average).toBe(vaes[0]);
    closeTo(weights(average.encoder), encoder!);
    closeTo(weights(average.decoder), decoder!);
    vaes.forEach((v) => v.combined.dispose());
  });

  it('refuses VAEs of different architectures, naming them', () => {
    const vaes = [buildVae(SMALL, 1), buildVae({ ...SMALL, latent: 12 }, 2)];
    expect(() => averageVaes(vaes, ['a', 'b'])).toThrow(/b has a different encoder from a/);
    expect(() => averageVaes(vaes.slice(0, 1))).toThrow(/at least two/);
    vaes.forEach((v) => v.combined.dispose());
  });
});

describe('train:vae --average', () => {
  it("writes the average as a VAE folder whose log holds each one's log, and fits its prior", async () => {
    const arch = { ...SMALL, beta: 0.5 };
    const dirs = [1, 2].map((i) => path.join(tmp.dir, `tuned${i}`));
    const vaes = [buildVae(arch, 11), buildVae(arch, 12)];
    for (const [i, dir] of dirs.entries()) {
      await saveVae(vaes[i]!, dir);
      await writeFile(
        path.join(dir, 'training-log.json'),
        JSON.stringify({
          kind: 'vae',
          command: `run ${i}`,
          config: { arch },
          epochs: [{ picture: 'data:image/png;base64,AAAA' }],
        }),
      );
    }
    const [encoder, decoder] = expectedMean(vaes);
    const out = dirs[0]!; // into one of the folders averaged: everything is read before anything is written
    const r = await runCliScript('train-vae', [
      '--average',
      dirs.join(','),
      '--out',
      out,
      '--data-dir',
      FIXTURE_DIR,
      '--prior-components',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const soup = await loadVae(out);
    closeTo(weights(soup.encoder), encoder!);
    closeTo(weights(soup.decoder), decoder!);
    const log = JSON.parse(await readFile(path.join(out, 'training-log.json'), 'utf8')) as Record<string, unknown>;
    expect(log).toMatchObject({
      kind: 'vae',
      config: { arch },
      averageOf: [
        { dir: dirs[0], log: { command: 'run 0', epochs: [{}] } },
        { dir: dirs[1], log: { command: 'run 1' } },
      ],
    });
    expect(log.command).toContain('--average');
    expect(JSON.stringify(log)).not.toContain('data:image'); // the ingredients' pictures are left out
    expect(log.latentPrior).toMatchObject({ components: 1 });
    expect(existsSync(path.join(out, 'latent-prior.json'))).toBe(true);
    [...vaes, soup].forEach((v) => v.combined.dispose());
  }, 120_000);

  it.each([
    ['models/vae', /at least two VAE folders/],
    ['models/vae,models/cnn', /holds a garment classifier \(CNN\), not a conditional VAE/],
    ['models/vae,nowhere', /No VAE at nowhere/],
    ['models/vae,models/vae --prior-components 0', /--prior-components must be a whole number/],
    ['models/vae,models/vae --from-checkpoint somewhere', /give one of them/],
  ])(
    'refuses --average %s with one line',
    async (dirs, message) => {
      const r = await runCliScript('train-vae', ['--average', ...dirs.split(' '), '--out', path.join(tmp.dir, 'bad')]);
      expect(r.code).toBe(1);
      const errors = errorLines(r.stderr);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      expect(existsSync(path.join(tmp.dir, 'bad'))).toBe(false);
    },
    60_000,
  );
});

describe('train:vae --prior-components', () => {
  it('is checked before a training starts, not after it, at the prior fit', async () => {
    const out = path.join(tmp.dir, 'never-trained');
    const r = await runCliScript('train-vae', ['--prior-components', '100', '--epochs', '1', '--out', out]);
    expect(r.code).toBe(1);
    const errors = errorLines(r.stderr);
    expect(errors).toEqual([
      expect.stringMatching(/--prior-components must be a whole number from 1 to 64 \(got 100\)/),
    ]);
    expect(r.stderr).not.toMatch(/epoch 1\//);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('train:vae --average --greedy-soup', () => {
  const HELD_OUT = 300;
  const arch = { ...SMALL, beta: 0.5 };
  /** A VAE folder whose log says it held out the last 300 training images (as train:vae --validation 300 writes). */
  const heldOutVae = async (name: string, seed: number) => {
    const dir = path.join(tmp.dir, name);
    await saveVae(buildVae(arch, seed), dir);
    const log = { kind: 'vae', command: name, validationImages: HELD_OUT, config: { arch, validationCount: HELD_OUT } };
    await writeFile(path.join(dir, 'training-log.json'), JSON.stringify(log));
    return dir;
  };

  it("averages only the folders that do not worsen the validation reconstruction ratio, logs every soup tried, and the logged figure is the written model's", async () => {
    const judgeDir = path.join(tmp.dir, 'soup-judge');
    await saveLayersModel(await tinyCnn(5), judgeDir);
    await writeFile(path.join(judgeDir, 'training-log.json'), JSON.stringify({ validationImages: HELD_OUT }));
    const a = await heldOutVae('soup-a', 21);
    // a copy of a: the average of the two is a exactly, a tie the soup keeps
    const copy = path.join(tmp.dir, 'soup-a-copy');
    await cp(a, copy, { recursive: true });
    const dirs = [a, await heldOutVae('soup-b', 22), copy, await heldOutVae('soup-c', 23)];
    const out = path.join(tmp.dir, 'soup');
    const r = await runCliScript('train-vae', [
      ...['--average', dirs.join(','), '--greedy-soup', '--frechet-judge', judgeDir],
      ...['--out', out, '--data-dir', FIXTURE_DIR, '--prior-components', '1'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    type Ratio = { validationReconstructionRatio: number; validationSampleRatio: number };
    const log = JSON.parse(await readFile(path.join(out, 'training-log.json'), 'utf8')) as {
      averageOf: { dir: string }[];
      latentPrior: { heldOut?: string };
      greedySoup: Ratio & {
        chosenOn: string;
        validationImages: number;
        alone: (Ratio & { dir: string })[];
        steps: (Ratio & { added: string; kept: boolean; members: string[] })[];
        chosen: string[];
      };
    };
    const soup = log.greedySoup;
    expect(soup).toMatchObject({ chosenOn: 'validation reconstruction Fréchet ratio', validationImages: HELD_OUT });
    // every ingredient alone, best first (a and its copy score the same); the soup starts from the best
    expect(soup.alone.map((x) => x.dir).sort()).toEqual([...dirs].sort());
    const aloneRatios = soup.alone.map((x) => x.validationReconstructionRatio);
    expect(aloneRatios).toEqual([...aloneRatios].sort((x, y) => x - y));
    const ratioOf = (dir: string) => soup.alone.find((x) => x.dir === dir)!.validationReconstructionRatio;
    expect(ratioOf(copy)).toBe(ratioOf(a));
    expect(soup.chosen[0]).toBe(soup.alone[0]!.dir);
    // each next best tried on the soup so far, kept exactly when the soup got no worse
    let best = aloneRatios[0]!;
    expect(soup.steps.map((s) => s.added)).toEqual(soup.alone.slice(1).map((x) => x.dir));
    for (const step of soup.steps) {
      expect(step.members.at(-1)).toBe(step.added);
      expect(step.kept).toBe(step.validationReconstructionRatio <= best);
      if (step.kept) best = step.validationReconstructionRatio;
    }
    expect(soup.validationReconstructionRatio).toBe(best);
    expect(log.averageOf.map((x) => x.dir)).toEqual(soup.chosen);
    // a and its copy come one after the other (a tie sorts stably); the copy adds nothing to a soup of a alone
    const first = soup.alone.findIndex((x) => x.dir === a);
    expect(soup.alone[first + 1]!.dir).toBe(copy);
    if (first === 0) expect(soup.steps[0]).toMatchObject({ added: copy, kept: true, members: [a, copy] });
    // the prior is fitted without the validation images, which the soup still never trained on
    expect(log.latentPrior.heldOut).toMatch(/last 300 images/);
    // the written model scores the logged figure on the held-out images
    const vae = await loadVae(out);
    const judge = await loadJudge(judgeDir);
    const validation = holdOutLast(await loadSplit('train', FIXTURE_DIR), HELD_OUT).heldOut;
    const f = validationFrechet(
      vae,
      judge,
      validationReference(judge, validation),
      fitClassPriors(vae.encoder, validation),
    );
    expect(f.validationReconstructionRatio).toBeCloseTo(soup.validationReconstructionRatio, 6);
    vae.combined.dispose();
    judge.model.dispose();
  }, 180_000);

  it('refuses a soup it cannot choose on validation, with one line', async () => {
    const held = await heldOutVae('soup-held', 31);
    const all = path.join(tmp.dir, 'soup-all'); // trained on every training image: its log names no validation split
    await saveVae(buildVae(arch, 32), all);
    await writeFile(path.join(all, 'training-log.json'), JSON.stringify({ kind: 'vae', config: { arch } }));
    const judge = path.join(tmp.dir, 'soup-judge');
    for (const [args, message] of [
      [['--average', `${held},${held}`, '--greedy-soup'], /--greedy-soup scores each average in a judge's features/],
      [['--greedy-soup', '--frechet-judge', judge], /give --average too/],
      [
        ['--average', `${held},${all}`, '--greedy-soup', '--frechet-judge', judge],
        /but .*soup-all trained on all training images: average VAEs trained with --validation/,
      ],
      [
        ['--average', `${held},${held}`, '--greedy-soup', '--frechet-judge', judge, '--validation', '500'],
        /held out the last 300 images of the training set, not the last 500 .*: pass --validation 300 or leave it out/,
      ],
    ] as const) {
      const r = await runCliScript('train-vae', [...args, '--out', path.join(tmp.dir, 'bad-soup')]);
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(message)]);
      expect(existsSync(path.join(tmp.dir, 'bad-soup'))).toBe(false);
    }
  }, 120_000);
});
