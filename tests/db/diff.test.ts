/**
 * Writing migrations: the committed migrations must build exactly what schema.prisma describes
 * (a schema change without its migration fails here), and a schema change yields a migration
 * folder whose SQL builds the new table.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationFolderName, pendingSchemaChanges, writeMigration } from '../../server/db/diff';
import { applyMigrations, MIGRATIONS_DIR, SCHEMA_PATH } from '../../server/db/migrate';
import { createFreshPostgres } from '../helpers/freshDatabase';

// Generous: PGlite and the wasm engine run several times slower while a training job has the CPU.
const SLOW = 120_000;

describe('db:diff', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'vt-diff-'));
  }, SLOW);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  }, SLOW);

  it(
    'finds nothing missing between the committed migrations and schema.prisma (on PGlite)',
    async () => {
      expect(await pendingSchemaChanges()).toBe('');
    },
    SLOW,
  );

  it(
    'writes a migration for a schema change, which builds the new table',
    async () => {
      const migrationsDir = path.join(scratch, 'migrations');
      const schemaPath = path.join(scratch, 'schema.prisma');
      await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
      const vote =
        '\nmodel Scribble {\n  id        Int      @id @default(autoincrement())\n  drawingId Int\n  createdAt DateTime @default(now())\n\n  @@index([drawingId])\n}\n';
      await writeFile(schemaPath, (await readFile(SCHEMA_PATH, 'utf8')) + vote);

      const written = await writeMigration('Add scribbles!', { migrationsDir, schemaPath });
      expect(written?.folder).toMatch(/^\d{14}_add_scribbles$/);
      expect(written?.sql).toContain('CREATE TABLE "Scribble"');
      expect(written?.sql).not.toContain('"ModelVersion"');
      expect(await readFile(path.join(migrationsDir, written!.folder, 'migration.sql'), 'utf8')).toBe(written!.sql);

      const fresh = await createFreshPostgres();
      const client = new pg.Client(fresh.url);
      try {
        const { applied } = await applyMigrations({ kind: 'postgresql', url: fresh.url }, migrationsDir);
        expect(applied.at(-1)).toBe(written!.folder);
        await client.connect();
        const { rows } = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'Scribble' ORDER BY 1");
        expect(rows.map((r) => r.indexname)).toEqual(['Scribble_drawingId_idx', 'Scribble_pkey']);
      } finally {
        await client.end();
        await fresh.drop();
      }
    },
    SLOW,
  );

  it('names folders the way Prisma does: UTC timestamp to the second, then snake case', () => {
    expect(migrationFolderName('Add votes & gallery!', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe(
      '20260102030405_add_votes_gallery',
    );
    expect(() => migrationFolderName(' -- ')).toThrow(/migration name is empty/);
  });
});
