/**
 * Knowledge distillation (train:cnn --teachers): the loss mixes the label loss with the
 * KL divergence from the teachers' softened answers, no gradient reaches a teacher, a run trains
 * with it, and the command line refuses a teacher that saw the validation images.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, tf } from '../../../server/ml/backend';
import { saveLayersModel } from '../../../server/ml/models/storage';
import { distilled } from '../../../server/ml/training/cnnTask';
import { resumeKey, TrainingConfigSchema } from '../../../server/ml/training/config';
import { startTraining } from '../../../server/ml/training/run';
import { errorLines, runCliScript } from '../../helpers/cli';
import { tinyCnn } from '../../helpers/models';
import { FIXTURE_DIR, tempDir } from '../data/fixture';

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  await initBackend();
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

/** A constant "teacher" answering these logits for every image, as a layers model of one dense layer. */
function constantTeacher(logits: number[]): tfTypes.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  const flat = tf.layers.flatten().apply(input) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: logits.length,
      kernelInitializer: 'zeros',
      biasInitializer: tf.initializers.constant({ value: 0 }),
    })
    .apply(flat) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const [kernel] = model.layers[2]!.getWeights();
  model.layers[2]!.setWeights([kernel!, tf.tensor1d(logits)]);
  return model;
}

describe('the distillation loss', () => {
  const teacherLogits = [2, 0, -1, 0, 0, 0, 0, 0, 0, 1];
  let images: tfTypes.Tensor;
  let teacher: tfTypes.LayersModel;
  beforeAll(() => {
    images = tf.zeros([2, 28, 28, 1]);
    teacher = constantTeacher(teacherLogits);
  });
  const softmax = (z: number[], t: number) => {
    const e = z.map((v) => Math.exp(v / t));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

  it('is the label loss at weight 0, and T^2 times the KL divergence from the teacher at weight 1', () => {
    const studentLogits = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const logits = tf.tensor2d([studentLogits, studentLogits]);
    const label = tf.scalar(1.25);
    const d = (weight: number) => ({ teachers: [teacher], weight, temperature: 2 });
    expect(distilled(label, logits, images, d(0)).dataSync()[0]).toBeCloseTo(1.25, 6);
    const p = softmax(teacherLogits, 2);
    const q = softmax(studentLogits, 2);
    const divergence = p.reduce((a, pi, i) => a + pi * Math.log(pi / q[i]!), 0);
    expect(distilled(label, logits, images, d(1)).dataSync()[0]).toBeCloseTo(4 * divergence, 5);
    expect(distilled(label, logits, images, d(0.25)).dataSync()[0]).toBeCloseTo(0.75 * 1.25 + 0.25 * 4 * divergence, 5);
    // where the network answers as the teacher does, the soft term is 0
    const same = tf.tensor2d([teacherLogits, teacherLogits]);
    expect(distilled(tf.scalar(0), same, images, d(1)).dataSync()[0]).toBeCloseTo(0, 5);
    // a teacher so sure that its other classes underflow to probability 0 still gives a finite loss
    const sure = [1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000];
    const sureTeacher = { teachers: [constantTeacher(sure)], weight: 1, temperature: 1 };
    const z = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const soft = distilled(tf.scalar(0), tf.tensor2d([z, z]), images, sureTeacher).dataSync()[0]!;
    expect(soft).toBeCloseTo(-Math.log(softmax(z, 1)[0]!), 4); // KL to a one-hot target: -log q(class 0)
  });

  it('is smallest where the network answers as the teacher does, and sends no gradient to the teacher', () => {
    const d = { teachers: [teacher], weight: 1, temperature: 3 };
    const student = tf.variable(tf.zeros([2, 10]));
    const { value, grads } = tf.variableGrads(
      () => distilled(tf.scalar(0), student as unknown as tfTypes.Tensor2D, images, d),
      [student, ...(teacher.trainableWeights.map((w) => w.read()) as tfTypes.Variable[])],
    );
    // The gradient of T^2 * KL(p, softmax(z / T)) in z (that of the cross-entropy: the entropy of p is a constant) is T * (softmax(z / T) - p) / batch.
    const p = softmax(teacherLogits, 3);
    const g = Array.from(grads[student.name]!.dataSync()).slice(0, 10);
    g.forEach((gi, i) => expect(gi).toBeCloseTo((3 * (0.1 - p[i]!)) / 2, 5));
    expect(Object.keys(grads)).toEqual([student.name]);
    expect(value.dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('train:cnn --teachers', () => {
  it('trains a network from the labels and a teacher, and keeps the resume keys of runs without one', async () => {
    const teacherDir = path.join(tmp.dir, 'teacher');
    await saveLayersModel(await tinyCnn(3), teacherDir);
    const config = {
      task: 'cnn' as const,
      dataDir: FIXTURE_DIR,
      epochs: 1,
      batchSize: 64,
      trainLimit: 256,
      testLimit: 100,
      replicas: 1,
      arch: { filters: [4, 8, 8], dense: 16 },
      teachers: [teacherDir],
      distillWeight: 0.5,
      outDir: path.join(tmp.dir, 'student'),
    };
    const result = await startTraining(config).done;
    expect(result.log.epochs).toHaveLength(1);
    expect(Number.isFinite(result.log.epochs[0]!.trainLoss)).toBe(true);
    expect(result.log.config).toMatchObject({ teachers: [teacherDir], distillWeight: 0.5, distillTemperature: 4 });
    const plain = TrainingConfigSchema.parse({ task: 'cnn' });
    expect(resumeKey(plain)).not.toMatch(/teachers|distill/);
    expect(resumeKey(TrainingConfigSchema.parse(config))).toMatch(/"distillWeight":0.5/);
  }, 120_000);

  it('refuses a teacher that trained on the validation images, and --distill without teachers, in one line', async () => {
    const sawThem = path.join(tmp.dir, 'saw-them');
    await saveLayersModel(await tinyCnn(4), sawThem);
    await writeFile(path.join(sawThem, 'training-log.json'), JSON.stringify({ kind: 'cnn', config: {} }));
    const out = ['--out', path.join(tmp.dir, 'refused'), '--epochs', '1'];
    const [teacher, noTeachers, missing] = await Promise.all([
      runCliScript('train-cnn', ['--teachers', sawThem, '--validation', '300', ...out]),
      runCliScript('train-cnn', ['--distill', '0.5', ...out]),
      runCliScript('train-cnn', ['--teachers', path.join(tmp.dir, 'nowhere'), ...out]),
    ]);
    for (const [r, pattern] of [
      [teacher, /--teachers: .*saw-them trained on all training images, but this run holds out the last 300 images/],
      [noTeachers, /--distill needs --teachers/],
      [missing, /--teachers: no classifier at .*nowhere/],
    ] as const) {
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(pattern)]);
    }
  }, 60_000);
});
