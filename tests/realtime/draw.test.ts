/**
 * Drawing recognition, saving and the sketch gallery over a real Socket.IO connection to the real
 * server, with a real (untrained, freshly built) CNN and a fresh PostgreSQL database.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCnn } from '../helpers/models';
import type { Reply } from '../../lib/protocol';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../helpers/server';

let server: TestServer;
let modelDir: string;
const clients: TestClient[] = [];
const RATE = 6;

beforeAll(async () => {
  modelDir = await mkdtemp(path.join(os.tmpdir(), 'draw-test-cnn-'));
  server = await startTestServer({ draw: { modelDir, requestsPerSecond: RATE } });
  // After the server: these modules parse the environment the server was started with.
  const { initBackend } = await import('../../server/ml/backend');
  const { saveLayersModel } = await import('../../server/ml/models/storage');
  await initBackend();
  await saveLayersModel(await tinyCnn(3), modelDir);
  await writeFile(
    path.join(modelDir, 'training-log.json'),
    JSON.stringify({ kind: 'cnn', note: 'untrained test model' }),
  );
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
  await rm(modelDir, { recursive: true, force: true });
});

async function client(): Promise<TestClient> {
  const c = await connectClient(server.url);
  clients.push(c);
  return c;
}

function request(c: TestClient, event: string, payload: unknown): Promise<Reply<any>> {
  const raw = c.timeout(10_000) as unknown as { emitWithAck(ev: string, p: unknown): Promise<Reply<any>> };
  return raw.emitWithAck(event, payload);
}

const square = { points: [100, 100, 300, 100, 300, 300, 100, 300, 100, 100], width: 8 };

async function drawingCount(): Promise<number> {
  const { getDb } = await import('../../server/db');
  return (await getDb()).drawing.count();
}

describe('draw:recognize', () => {
  it('answers 10 probabilities summing to 1, the top guess and the model version', async () => {
    const c = await client();
    const reply = await request(c, 'draw:recognize', { strokes: [square] });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const { probabilities, guess, modelVersion, elapsedMs } = reply.data;
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
    for (const p of probabilities) expect(p).toBeGreaterThanOrEqual(0);
    expect(guess).toBe(probabilities.indexOf(Math.max(...probabilities)));
    expect(modelVersion).toMatch(new RegExp(`^${path.basename(modelDir)}@[0-9a-f]{8}$`));
    expect(elapsedMs).toBeGreaterThan(0);
  });

  it('refuses an empty drawing, non-finite points and too many points, each with a sentence', async () => {
    const c = await client();
    const empty = await request(c, 'draw:recognize', { strokes: [] });
    expect(empty).toEqual({ ok: false, error: 'There is nothing to recognize: draw something first.' });
    // JSON turns NaN and Infinity into null on the wire.
    const nonFinite = await request(c, 'draw:recognize', { strokes: [{ points: [1, 2, Number.NaN, 4], width: 3 }] });
    expect(nonFinite.ok).toBe(false);
    if (!nonFinite.ok) expect(nonFinite.error).toContain('Stroke points must be finite numbers.');
    const many = await request(c, 'draw:recognize', {
      strokes: [{ points: Array.from({ length: 20_000 }, (_, i) => i % 97), width: 3 }],
    });
    expect(many.ok).toBe(false);
    if (!many.ok) expect(many.error).toContain('at most 6000 points');
  });

  it('answers the 24 KB drawing built to be slow (6,000 points in a 1x1 box, pen width 200) like a fat dot', async () => {
    const c = await client();
    const points: number[] = [];
    for (let i = 0; i < 6000; i++) points.push(200 + ((i * 37) % 100) / 100, 200 + ((i * 53) % 100) / 100);
    const heavy = { points, width: 200 };
    expect(JSON.stringify({ strokes: [heavy] }).length).toBeGreaterThan(24_000);
    const [reply, dot] = await Promise.all([
      request(c, 'draw:recognize', { strokes: [heavy] }),
      request(c, 'draw:recognize', { strokes: [{ points: [200.5, 200.5], width: 200 }] }),
    ]);
    expect(reply.ok && dot.ok).toBe(true);
    if (reply.ok && dot.ok) expect(reply.data.guess).toBe(dot.data.guess);
  });

  it('limits each connection to its requests per second with a clear error', async () => {
    const c = await client();
    const replies = await Promise.all(
      Array.from({ length: RATE + 4 }, () => request(c, 'draw:recognize', { strokes: [square] })),
    );
    const refused = replies.filter((r) => !r.ok);
    expect(replies.filter((r) => r.ok)).toHaveLength(RATE);
    expect(refused).toHaveLength(4);
    if (!refused[0]!.ok)
      expect(refused[0]!.error).toMatch(/^Too many recognition requests: at most 6 per second per connection/);
    // Another connection has its own budget.
    expect((await request(await client(), 'draw:recognize', { strokes: [square] })).ok).toBe(true);
  });
});

describe('draw:save and sketches:list', () => {
  it('round-trips a confirmed drawing through the database and the gallery', async () => {
    const { getDb } = await import('../../server/db');
    const { decodePng, greyLevels } = await import('../../server/ml/image/png');
    const { sketchToImage28, imageToBytes } = await import('../../lib/sketch/preprocess');
    const db = await getDb();
    // The author is whoever the connection's guest cookie says, as a browser that picked a nickname.
    const { pickNickname, connectWithCookie } = await import('../identity/harness');
    const { cookie, guest } = await pickNickname(server.url, 'Ada');
    const c = await connectWithCookie(server.url, cookie);
    clients.push(c);
    const strokes = [square, { points: [150, 150, 250, 250], width: 30, tool: 'eraser' }];
    const reply = await request(c, 'draw:save', { strokes, label: 3 });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const row = await db.drawing.findUniqueOrThrow({ where: { id: reply.data.id }, include: { modelVersion: true } });
    expect(row.label).toBe(3);
    expect(row.guess).toBe(reply.data.guess);
    expect(row.authorId).toBe(guest.id);
    expect(row.strokes).toEqual(strokes.map((s) => ({ tool: 'pen', ...s })));
    expect(row.modelVersion?.path).toBe(path.relative(process.cwd(), modelDir));
    const png = decodePng(row.image);
    expect([png.width, png.height]).toEqual([28, 28]);
    expect(Array.from(greyLevels(png))).toEqual(Array.from(imageToBytes(sketchToImage28(strokes as never)!)));

    const page = await request(c, 'sketches:list', { label: 3 });
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.data.sketches[0]).toMatchObject({ id: row.id, label: 3, guess: row.guess, author: 'Ada' });
    expect(page.data.sketches[0].image).toMatch(/^data:image\/png;base64,/);
    const other = await request(c, 'sketches:list', { label: 4 });
    expect(other.ok && other.data.sketches.some((s: { id: number }) => s.id === row.id)).toBe(false);
  });

  it('saves an anonymous drawing, and refuses a bad label, a claimed author or an empty canvas without saving', async () => {
    const c = await client();
    const anonymous = await request(c, 'draw:save', { strokes: [square], label: 0 });
    expect(anonymous.ok).toBe(true);
    const before = await drawingCount();
    const badLabel = await request(c, 'draw:save', { strokes: [square], label: 12 });
    expect(badLabel.ok).toBe(false);
    if (!badLabel.ok) expect(badLabel.error).toContain('The label must be a class number 0-9.');
    // Nobody can sign a drawing with someone else's id: authorship comes from the cookie only.
    const claimed = await request(c, 'draw:save', {
      strokes: [square],
      label: 1,
      authorId: '6f1c7a52-0000-4000-8000-000000000000',
    });
    expect(claimed.ok).toBe(false);
    if (!claimed.ok) expect(claimed.error).toMatch(/authorId/);
    const empty = await request(c, 'draw:save', { strokes: [], label: 1 });
    expect(empty.ok).toBe(false);
    expect(await drawingCount()).toBe(before);
  });

  it('drops a connection that sends 100,000 points (over the message size limit) and saves nothing', async () => {
    const before = await drawingCount();
    const c = await client();
    const closed = new Promise<string>((resolve) => c.once('disconnect', resolve));
    const points = Array.from({ length: 200_000 }, (_, i) => i % 1000);
    (c as unknown as { emit(ev: string, ...a: unknown[]): void }).emit(
      'draw:save',
      { strokes: [{ points, width: 3 }], label: 1 },
      () => {},
    );
    expect(await closed).toBe('transport close');
    expect(await drawingCount()).toBe(before);
  });
});
