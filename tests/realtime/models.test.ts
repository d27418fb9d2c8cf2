/**
 * Every trained model is usable, over real Socket.IO connections to the real server: a finished
 * session's CNN becomes a model version that /draw can pick (the reply says which version
 * answered), its quick assessment appears by itself on /assessments with the session link, its
 * archive downloads and loads back in TensorFlow.js with the server's probabilities, and the
 * served default changes only with the operator's token. Tiny runs on the committed subset.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { registerNewerVersions, tinyCnn } from '../helpers/models';
import {
  connectClient,
  ok,
  pickNickname,
  request,
  startTestServer,
  type TestClient,
  type TestServer,
} from '../helpers/server';

const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
const ADMIN_TOKEN = 'operator-token-for-tests-0123456789';
const TIMEOUT_MS = 150_000;
let server: TestServer;
let outRoot: string;
let modelDir: string;
let c: TestClient;

const square = { points: [100, 100, 300, 100, 300, 300, 100, 300, 100, 100], width: 8 };

beforeAll(async () => {
  outRoot = await mkdtemp(path.join(os.tmpdir(), 'models-test-'));
  modelDir = path.join(outRoot, 'served-cnn');
  server = await startTestServer({
    draw: { modelDir, requestsPerSecond: 100 },
    sessions: { dataDir: FIXTURE, outRoot, testLimit: 200 },
    models: { adminToken: ADMIN_TOKEN },
  });
  const { saveLayersModel } = await import('../../server/ml/models/storage');
  await saveLayersModel(await tinyCnn(3), modelDir);
  await writeFile(
    path.join(modelDir, 'training-log.json'),
    JSON.stringify({ kind: 'cnn', note: 'untrained test model' }),
  );
  c = await connectClient(server.url, (await pickNickname(server.url, 'Ada')).cookie);
}, 60_000);

afterAll(async () => {
  c?.disconnect();
  await server?.close();
  await rm(outRoot, { recursive: true, force: true });
});

async function until<T>(what: string, get: () => Promise<T | null | undefined>, timeoutMs = TIMEOUT_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let sessionId = '';
let versionId = 0;

describe('a finished session is a model version', () => {
  it('trains a tiny CNN session and lists its model among the CNN versions', { timeout: TIMEOUT_MS }, async () => {
    ({ sessionId } = await ok(c, 'session:create', {
      config: { name: 'picker test', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
    }));
    await ok(c, 'session:join', { sessionId, since: null });
    await ok(c, 'session:control', { sessionId, action: 'start' });
    const row = await until('the registered model', async () => {
      const r = await server.db.trainingSessionRecord.findUnique({ where: { id: sessionId } });
      return r?.modelVersionId ? r : null;
    });
    versionId = row.modelVersionId!;
    const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
    const mine = versions.find((v) => v.id === versionId);
    expect(mine).toMatchObject({
      kind: 'cnn',
      available: true,
      served: false,
      session: { id: sessionId, hostNickname: 'Ada' },
    });
    expect(versions.every((v) => v.kind === 'cnn')).toBe(true);
  });

  it('answers a drawing with the picked version, and says so', async () => {
    const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
    const tag = versions.find((v) => v.id === versionId)!.tag;
    const picked = await ok(c, 'draw:recognize', { strokes: [square], modelVersionId: versionId });
    expect(picked.modelVersionId).toBe(versionId);
    expect(picked.modelVersion).toBe(tag);
    const served = await ok(c, 'draw:recognize', { strokes: [square] });
    expect(served.modelVersion).not.toBe(tag);
    expect(served.modelVersion.startsWith('served-cnn@')).toBe(true);
  });

  it('stores the quick assessment by itself and lists it with the session link', { timeout: TIMEOUT_MS }, async () => {
    const row = await until('the session assessment', async () => {
      const { assessments } = await ok(c, 'assessments:list', {});
      return assessments.find((a) => a.modelVersion.id === versionId && a.source === 'session');
    });
    expect(row.session).toEqual({ id: sessionId, name: 'picker test' });
    const m = row.metrics as {
      accuracy: number;
      perClassAccuracy: number[];
      confusionMatrix: number[][];
      testImages: number;
      seconds: number;
      sessionId: string;
    };
    expect(m.sessionId).toBe(sessionId);
    expect(m.perClassAccuracy).toHaveLength(10);
    expect(m.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(m.testImages);
    expect(m.accuracy).toBeGreaterThanOrEqual(0);
    const detail = await ok(c, 'models:get', { id: versionId });
    expect(detail.assessments.map((a) => a.source)).toContain('session');
    expect((detail.trainingLog as { epochs: unknown[] }).epochs).toHaveLength(1);
  });

  it('imports the committed models and their assessments on start', async () => {
    const { assessments } = await ok(c, 'assessments:list', {});
    const sources = assessments.map((a) => `${a.modelVersion.path} ${a.source}`);
    expect(sources).toContain('models/cnn committed training log');
    expect(sources).toContain('models/vae committed assess');
  });

  it("downloads an archive that TensorFlow.js loads back to the server's probabilities on 20 test images", {
    timeout: 60_000,
  }, async () => {
    const detail = await ok(c, 'models:get', { id: versionId });
    const res = await fetch(server.url + detail.archiveUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`cnn-version-${versionId}.tar.gz`);
    const dir = await mkdtemp(path.join(outRoot, 'unpacked-'));
    await writeFile(path.join(dir, 'a.tar.gz'), Buffer.from(await res.arrayBuffer()));
    execFileSync('tar', ['-xzf', 'a.tar.gz'], { cwd: dir });
    const folder = path.join(dir, `cnn-version-${versionId}`);
    const log = JSON.parse(await readFile(path.join(folder, 'training-log.json'), 'utf8')) as { epochs: unknown[] };
    expect(log.epochs).toHaveLength(1);

    const { tf } = await import('../../server/ml/backend');
    const modelJson = JSON.parse(await readFile(path.join(folder, 'model.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[];
    };
    const weights = Buffer.concat(
      await Promise.all(modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(path.join(folder, p)))),
    );
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const { loadSplit } = await import('../../server/ml/data/fashionMnist');
    const test = await loadSplit('test', FIXTURE);
    const images = Float32Array.from(test.images.subarray(0, 20 * 784), (v) => v / 255);
    const mine = tf
      .tidy(() => tf.softmax(loaded.predict(tf.tensor4d(images, [20, 28, 28, 1])) as tfTypes.Tensor2D))
      .arraySync() as number[][];
    // The server's answers: the picked version's folder through the same inference path the recognition worker runs.
    const { recognizer } = await server.playground.recognizers.pick(versionId);
    const { ServedModel } = await import('../../server/recognition/servedModel');
    const theirs = await new ServedModel(recognizer.modelDir).classify(images, 20);
    for (let i = 0; i < 20; i++) theirs.probabilities[i]!.forEach((p, k) => expect(mine[i]![k]!).toBeCloseTo(p, 5));
    loaded.dispose();
  });
});

describe('the report card', () => {
  it('is a PNG drawn for the version page', { timeout: 120_000 }, async () => {
    const detail = await ok(c, 'models:get', { id: versionId });
    expect(detail.reportCardUrl).toBe(`/api/models/${versionId}/report-card.png`);
    const res = await fetch(server.url + detail.reportCardUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1200);
  });

  it('is drawn for a version without a stored one too (the committed CNN, assessed in a worker first)', {
    timeout: 180_000,
  }, async () => {
    const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
    const committed = versions.find((v) => v.path === 'models/cnn')!;
    const res = await fetch(`${server.url}/api/models/${committed.id}/report-card.png`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).readUInt32BE(16)).toBe(1200);
  });
});

describe('a folder retrained in place', () => {
  it('lists the old version as replaced, refuses to answer or download with it, and serves the new one', {
    timeout: 60_000,
  }, async () => {
    const { registerModelVersion } = await import('../../server/db/repositories/modelVersions');
    const { servedVersion } = await import('../../server/modelVersions/catalog');
    const dir = path.join(outRoot, 'retrained-cnn');
    const { saveLayersModel } = await import('../../server/ml/models/storage');
    await saveLayersModel(await tinyCnn(5), dir);
    const logA = { kind: 'cnn', note: 'first training' };
    const logB = { kind: 'cnn', note: 'trained again in the same folder' };
    const register = async (log: object) => {
      await writeFile(path.join(dir, 'training-log.json'), JSON.stringify(log));
      return registerModelVersion(server.db, {
        kind: 'cnn',
        name: 'retrained-cnn',
        path: dir,
        params: 1,
        trainingLog: log,
      });
    };
    const first = await register(logA);
    expect((await ok(c, 'draw:recognize', { strokes: [square], modelVersionId: first.id })).modelVersionId).toBe(
      first.id,
    );
    const second = await register(logB);
    const listed = async () => {
      const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
      return [first.id, second.id].map((id) => versions.find((v) => v.id === id)!);
    };
    expect(await listed()).toMatchObject([
      { available: false, replacedBy: second.id },
      { available: true, replacedBy: null },
    ]);
    // The server picked the first version a moment ago: it finds out within seconds.
    const refused = await until(
      'the refusal',
      async () => {
        const r = await request(c, 'draw:recognize', { strokes: [square], modelVersionId: first.id });
        return r.ok ? null : r;
      },
      10_000,
    );
    expect(refused).toEqual({
      ok: false,
      error: `Model version ${first.id} was replaced: its folder (${first.path}) now holds model version ${second.id}; pick version ${second.id}.`,
    });
    expect((await ok(c, 'draw:recognize', { strokes: [square], modelVersionId: second.id })).modelVersionId).toBe(
      second.id,
    );
    const archive = await fetch(`${server.url}/api/models/${first.id}/archive`);
    expect(archive.status).toBe(410);
    expect((await servedVersion(server.db, 'cnn', dir))?.id).toBe(second.id);

    // The first training's files put back (e.g. a git checkout): the first version is the folder's again.
    await writeFile(path.join(dir, 'training-log.json'), JSON.stringify(logA));
    expect(await listed()).toMatchObject([
      { available: true, replacedBy: null },
      { available: false, replacedBy: first.id },
    ]);
    expect((await servedVersion(server.db, 'cnn', dir))?.id).toBe(first.id);

    // A log that matches neither row (a prior fitted later rewrote it) replaces nothing.
    await writeFile(path.join(dir, 'training-log.json'), JSON.stringify({ ...logA, prior: 'fitted later' }));
    expect(await listed()).toMatchObject([{ available: true }, { available: true }]);
  });
});

describe('refusals', () => {
  it('refuses an unknown model version, and a VAE where a CNN is needed', async () => {
    const unknown = await request(c, 'draw:recognize', { strokes: [square], modelVersionId: 999_999 });
    expect(unknown).toEqual({
      ok: false,
      error: 'There is no model version 999999; pick one from the list on /models.',
    });
    const { versions } = await ok(c, 'models:list', { kind: 'vae' });
    const vae = versions.find((v) => v.path === 'models/vae')!;
    const wrongKind = await request(c, 'draw:recognize', { strokes: [square], modelVersionId: vae.id });
    expect(wrongKind.ok).toBe(false);
    if (!wrongKind.ok) expect(wrongKind.error).toContain('is a VAE, not a CNN');
    expect((await request(c, 'models:get', { id: 999_999 })).ok).toBe(false);
    expect((await fetch(`${server.url}/api/models/999999/archive`)).status).toBe(404);
  });

  it('changes the served default only with the operator token', async () => {
    const without = await request(c, 'models:serve', { id: versionId } as never);
    expect(without.ok).toBe(false);
    const empty = await request(c, 'models:serve', { id: versionId, adminToken: '' });
    expect(empty).toEqual({ ok: false, error: 'That operator token is not right.' });
    const wrong = await request(c, 'models:serve', { id: versionId, adminToken: 'not-the-operator-token-at-all' });
    expect(wrong).toEqual({ ok: false, error: 'That operator token is not right.' });
    expect((await ok(c, 'draw:recognize', { strokes: [square] })).modelVersionId).not.toBe(versionId);

    const changed = await ok(c, 'models:serve', { id: versionId, adminToken: ADMIN_TOKEN });
    expect(changed.served).toMatchObject({ id: versionId, served: true });
    const reply = await ok(c, 'draw:recognize', { strokes: [square] });
    expect(reply.modelVersionId).toBe(versionId);
    const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
    expect(versions.filter((v) => v.served).map((v) => v.id)).toEqual([versionId]);
  });
});

// Last: it leaves 200 newer versions behind, which push the others off the list.
describe('a version older than the newest 200', () => {
  it('is still shown on its page and can be served', async () => {
    await registerNewerVersions(server.db);
    const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
    expect(versions).toHaveLength(200);
    expect(versions.some((v) => v.id === versionId)).toBe(false);
    expect(await ok(c, 'models:get', { id: versionId })).toMatchObject({ id: versionId, available: true });
    const changed = await ok(c, 'models:serve', { id: versionId, adminToken: ADMIN_TOKEN });
    expect(changed.served).toMatchObject({ id: versionId, served: true });
  });
});
