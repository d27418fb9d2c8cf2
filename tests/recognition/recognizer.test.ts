/**
 * Recognition in its worker thread, micro-batched, against one-at-a-time inference: the compiled
 * chain answers like the layers model's predict (plain and mirror-averaging CNNs), a batch answers
 * exactly like the same images one at a time (the committed model on real Fashion-MNIST images), the
 * worker's batched answers equal the inline ones, and a failing batch answers every waiting request
 * with its error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../server/ml/backend';
import { readIdxImages } from '../../server/ml/data/idx';
import { FILES } from '../../server/ml/data/fashionMnist';
import { buildCnn, withMirrorAveraging } from '../../server/ml/models/cnn';
import { loadLayersModel, saveLayersModel } from '../../server/ml/models/storage';
import type { Stroke } from '../../lib/sketch/preprocess';
import { IMAGE_PIXELS } from '../../lib/image';
import { compileClassifier } from '../../server/recognition/inference';
import { Recognizer } from '../../server/recognition/recognizer';
import { benchDrawing } from '../../server/recognition/bench/drawings';
import { mulberry32 } from '../../server/ml/data/random';

const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
const COMMITTED = path.resolve('models/cnn');
let images: Float32Array;
const N = 16;
let scratch: string;

beforeAll(async () => {
  await initBackend();
  const idx = await readIdxImages(path.join(FIXTURE, FILES.test.images));
  images = Float32Array.from(idx.data.subarray(0, N * IMAGE_PIXELS), (v) => v / 255);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'recognizer-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const rows = (flat: Float32Array): number[][] =>
  Array.from({ length: flat.length / 10 }, (_, i) => Array.from(flat.subarray(i * 10, i * 10 + 10)));

describe('compiled inference', () => {
  it('answers like the layers model for a plain and a mirror-averaging CNN, in one pass over both views', () => {
    const plain = buildCnn({ filters: [4, 8, 8], dense: 16 }, 3);
    // Non-trivial batch-norm statistics, so folding them into the convolutions is exercised.
    for (const layer of plain.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      const n = layer.getWeights()[0]!.shape[0]!;
      layer.setWeights([
        tf.randomUniform([n], 0.5, 1.5, 'float32', 1),
        tf.randomUniform([n], -0.2, 0.2, 'float32', 2),
        tf.randomUniform([n], -0.3, 0.3, 'float32', 3),
        tf.randomUniform([n], 0.5, 2, 'float32', 4),
      ]);
    }
    const mirrored = withMirrorAveraging(plain);
    for (const model of [plain, mirrored]) {
      const compiled = compileClassifier(model);
      const layers = compileClassifier(model, { layersOnly: true });
      expect(compiled.path).toBe('compiled');
      expect(compiled.mirror).toBe(model === mirrored);
      const a = rows(compiled.classify(images, N));
      const b = rows(layers.classify(images, N));
      a.forEach((r, i) => r.forEach((p, c) => expect(p).toBeCloseTo(b[i]![c]!, 5)));
      compiled.dispose();
    }
  });

  it('answers a batch of real images exactly as it answers them one at a time (the committed model)', async () => {
    const model = await loadLayersModel(COMMITTED);
    const c = compileClassifier(model);
    expect([c.path, c.mirror]).toEqual(['compiled', true]);
    const batched = rows(c.classify(images, N));
    const single = Array.from(
      { length: N },
      (_, i) => rows(c.classify(images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), 1))[0]!,
    );
    expect(batched).toEqual(single);
    c.dispose();
    model.dispose();
  });
});

describe('Recognizer in its worker thread', () => {
  const rand = mulberry32(5);
  const drawings: Stroke[][] = Array.from({ length: 12 }, () => benchDrawing(rand));

  it('micro-batches drawings sent together and answers each exactly as one-at-a-time inference does', async () => {
    const worker = new Recognizer(COMMITTED, { maxWaitMs: 200, maxBatch: 32 });
    const inline = new Recognizer(COMMITTED, { thread: 'inline' });
    try {
      const together = await Promise.all(
        drawings.map((d, i) => worker.recognize(d, { key: `socket-${i % 3}`, image: true })),
      );
      const oneByOne: Awaited<ReturnType<typeof inline.recognize>>[] = [];
      for (const d of drawings) oneByOne.push(await inline.recognize(d, { image: true }));
      expect(Math.max(...together.map((r) => r.batch))).toBeGreaterThan(1);
      together.forEach((r, i) => {
        expect(r.probabilities).toEqual(oneByOne[i]!.probabilities);
        expect(r.guess).toBe(oneByOne[i]!.guess);
        expect(Array.from(r.image!)).toEqual(Array.from(oneByOne[i]!.image!));
      });
      expect(together[0]!.modelVersion).toMatch(/^cnn@[0-9a-f]{8}$/);
      expect((await worker.model()).inference).toBe('compiled');
      // An empty drawing has no answer, and is refused with a sentence by recognize().
      expect(await worker.tryRecognize([])).toBeNull();
      await expect(worker.recognize([])).rejects.toThrow('There is nothing to recognize: draw something first.');
    } finally {
      await worker.dispose();
      await inline.dispose();
    }
  });

  it('answers every request waiting on a failing batch with the error, in one sentence', async () => {
    const broken = path.join(scratch, 'broken');
    await saveLayersModel(buildCnn({ filters: [4, 8, 8], dense: 16 }, 1), broken);
    await writeFile(path.join(broken, 'model.json'), '{ not json');
    const r = new Recognizer(broken, { maxWaitMs: 200 });
    try {
      const settled = await Promise.allSettled(drawings.slice(0, 5).map((d, i) => r.recognize(d, { key: `s${i}` })));
      expect(settled.map((s) => s.status)).toEqual(Array(5).fill('rejected'));
      for (const s of settled) {
        expect((s as PromiseRejectedResult).reason.message).toBe(
          `The model file ${path.join(broken, 'model.json')} is not valid JSON: replace it with a freshly trained model.`,
        );
      }
    } finally {
      await r.dispose();
    }
  });
});
