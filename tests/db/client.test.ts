/**
 * The Prisma client on both databases, through the repositories the CLIs and server use:
 * model versions register once per trained model, assessments and drawings round-trip, the
 * embedded database persists across reopen and refuses a second opener, and failures read as
 * one sentence.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDb,
  createGuest,
  latestModelVersion,
  listAssessments,
  listDrawings,
  openDb,
  registerModelVersion,
  saveAssessment,
  saveDrawing,
  type OpenDb,
} from '../../server/db';
import { UserFacingError } from '../../server/errors';
import { createFreshPglite, createFreshPostgres, type FreshPglite, type FreshPostgres } from '../helpers/freshDatabase';

// Generous: PGlite and the wasm engine run several times slower while a training job has the CPU.
const SLOW = 120_000;

const trainingLog = { epochs: [{ epoch: 1, loss: 0.61, accuracy: 0.78 }], batchSize: 128, backend: 'wasm' };
const cnn = { kind: 'cnn', name: 'cnn-small', path: 'models/cnn', params: 225034, trainingLog } as const;
const PNG_SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 255]);

describe('on PostgreSQL', { timeout: SLOW }, () => {
  let fresh: FreshPostgres;
  let open: OpenDb;
  beforeAll(async () => {
    fresh = await createFreshPostgres();
    open = await openDb({ kind: 'postgresql', url: fresh.url });
  }, SLOW);
  afterAll(async () => {
    await open?.close();
    await fresh?.drop();
  }, SLOW);

  it('migrates on open and reports where it is', () => {
    expect(open.kind).toBe('postgresql');
    expect(open.migration?.applied.length).toBeGreaterThan(0);
    expect(open.where).toBe(`PostgreSQL at 127.0.0.1:5432/${fresh.name}`);
  });

  it('registers a trained model once, however often eval runs, and anew when retrained', async () => {
    const { db } = open;
    const first = await registerModelVersion(db, cnn);
    // Same folder (spelled differently) and the same log with its keys in another order.
    const again = await registerModelVersion(db, {
      ...cnn,
      path: './models/../models/cnn',
      trainingLog: { backend: 'wasm', batchSize: 128, epochs: [{ accuracy: 0.78, loss: 0.61, epoch: 1 }] },
      metrics: { accuracy: 0.9 },
    });
    expect(again.id).toBe(first.id);
    expect(again.path).toBe('models/cnn');
    expect(again.metrics).toEqual({ accuracy: 0.9 });

    const retrained = await registerModelVersion(db, {
      ...cnn,
      trainingLog: { ...trainingLog, epochs: [...trainingLog.epochs, { epoch: 2, loss: 0.4, accuracy: 0.85 }] },
    });
    expect(retrained.id).not.toBe(first.id);
    expect((await latestModelVersion(db, 'cnn'))?.id).toBe(retrained.id);
    expect(await latestModelVersion(db, 'vae')).toBeNull();
  });

  it('saves assessments and lists them newest first, filtered by source', async () => {
    const { db } = open;
    const version = await registerModelVersion(db, { ...cnn, path: 'models/cnn-assessed' });
    const metrics = {
      accuracy: 0.9012,
      confusion: [
        [9, 1],
        [2, 8],
      ],
    };
    const older = await saveAssessment(db, version.id, 'eval:cnn', metrics);
    const newer = await saveAssessment(db, version.id, 'eval:cnn', { accuracy: 0.91 });
    await saveAssessment(db, version.id, 'live:drawings', { accuracy: 0.5 });

    const listed = await listAssessments(db, { modelVersionId: version.id, source: 'eval:cnn' });
    expect(listed.map((a) => a.id)).toEqual([newer.id, older.id]);
    expect(listed[1]!.metrics).toEqual(metrics);
    expect(listed[0]!.modelVersion).toMatchObject({ id: version.id, kind: 'cnn', path: 'models/cnn-assessed' });
    await expect(saveAssessment(db, 999_999, 'eval:cnn', {})).rejects.toThrow();
  });

  it('keeps drawings byte for byte, and keeps them when their guest is deleted', async () => {
    const { db } = open;
    const guest = await createGuest(db, 'ada');
    expect(guest.id).toMatch(/^[0-9a-f-]{36}$/);
    const strokes = [
      [
        { x: 1, y: 2 },
        { x: 3.5, y: 4 },
      ],
    ];
    const saved = await saveDrawing(db, { authorId: guest.id, strokes, image: PNG_SIGNATURE, label: 3, guess: 6 });
    const loaded = await db.drawing.findUniqueOrThrow({ where: { id: saved.id } });
    expect(Array.from(loaded.image)).toEqual(Array.from(PNG_SIGNATURE));
    expect(loaded.strokes).toEqual(strokes);
    expect((await listDrawings(db, { authorId: guest.id })).map((d) => d.id)).toEqual([saved.id]);

    await db.guest.delete({ where: { id: guest.id } });
    expect((await db.drawing.findUniqueOrThrow({ where: { id: saved.id } })).authorId).toBeNull();
  });

  it('reports its health for the status page', async () => {
    expect(await checkDb({ kind: 'postgresql', url: fresh.url })).toEqual({
      ok: true,
      kind: 'postgresql',
      where: `PostgreSQL at 127.0.0.1:5432/${fresh.name}`,
    });
  });
});

describe('unusable PostgreSQL', { timeout: SLOW }, () => {
  it('says in one sentence what is wrong and how to fix it', async () => {
    const refused = await openDb({ kind: 'postgresql', url: 'postgresql://postgres@127.0.0.1:1/playground' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UserFacingError);
    expect((refused as Error).message).toBe(
      'Cannot reach PostgreSQL at 127.0.0.1:1 (connection refused): start it or unset DATABASE_URL to use the embedded database.',
    );
    await expect(
      openDb({ kind: 'postgresql', url: 'postgresql://postgres@127.0.0.1:5432/vt_missing_db' }),
    ).rejects.toThrow(
      'PostgreSQL at 127.0.0.1:5432 has no database "vt_missing_db": create it (createdb vt_missing_db) or change DATABASE_URL.',
    );
    await expect(openDb({ kind: 'postgresql', url: 'postgresql://[::1' })).rejects.toThrow(
      /^DATABASE_URL is not a valid URL/,
    );
  });

  it('shows as down on the status page, with the sentence', async () => {
    const health = await checkDb({ kind: 'postgresql', url: 'postgresql://postgres@127.0.0.1:1/playground' });
    expect(health).toMatchObject({ ok: false, kind: 'postgresql', where: 'PostgreSQL at 127.0.0.1:1/playground' });
    expect(health.error).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(connection refused\)/);
  });
});

describe('on the embedded PGlite database', () => {
  let fresh: FreshPglite;
  beforeAll(async () => {
    fresh = await createFreshPglite();
  }, SLOW);
  afterAll(async () => {
    await fresh?.remove();
  }, SLOW);

  it(
    'round-trips an assessment, keeps it across reopen, and allows one opener at a time',
    async () => {
      const target = { kind: 'pglite', dir: fresh.dir } as const;
      const first = await openDb(target);
      let assessmentId: number;
      try {
        expect(first.kind).toBe('pglite');
        expect(first.migration?.applied.length).toBeGreaterThan(0);
        const version = await registerModelVersion(first.db, cnn);
        assessmentId = (await saveAssessment(first.db, version.id, 'eval:cnn', { accuracy: 0.9 })).id;
        await expect(openDb(target)).rejects.toThrow(/is already open in this process/);
      } finally {
        await first.close();
      }
      expect(existsSync(`${fresh.dir}.lock`)).toBe(false);

      // Another live process (our parent) holding the folder: refuse, with the way out.
      writeFileSync(`${fresh.dir}.lock`, String(process.ppid));
      await expect(openDb(target)).rejects.toThrow(
        `The embedded database in ${fresh.dir} is in use by another process (pid ${process.ppid}): stop that process, or set DATABASE_URL to a PostgreSQL server that several processes can share.`,
      );
      // A lock left by a process that has exited is taken over.
      const exited = spawnSync(process.execPath, ['-e', '']).pid;
      writeFileSync(`${fresh.dir}.lock`, String(exited));

      const reopened = await openDb(target);
      try {
        expect(reopened.migration?.applied).toEqual([]);
        const [saved] = await listAssessments(reopened.db);
        expect(saved).toMatchObject({ id: assessmentId!, source: 'eval:cnn', metrics: { accuracy: 0.9 } });
        expect(saved!.modelVersion.path).toBe('models/cnn');
      } finally {
        await reopened.close();
      }
    },
    SLOW,
  );
});
