/**
 * The database layer: Prisma 7 on PostgreSQL (DATABASE_URL) or the embedded PGlite database
 * (DATA_DIR/pglite), migrations applied by the WebAssembly schema engine, and the small typed
 * functions the rest of the server uses. Import from here, not from ./generated.
 *
 *   const db = await getDb();
 *   const version = await registerModelVersion(db, { kind: 'cnn', ... });
 *   await saveAssessment(db, version.id, 'eval:cnn', metrics);
 */
export { checkDb, closeDb, getDb, openDb, type Db, type DbHealth, type OpenDb } from './client';
export { applyMigrations, type MigrationResult } from './migrate';
export { describeTarget, targetFromEnv, type DbKind, type DbTarget } from './target';
export type { Assessment, Drawing, Guest, ModelKind, ModelVersion, Prisma } from './generated/client';
export {
  latestModelVersion,
  registerModelVersion,
  type ModelVersionInput,
} from './repositories/modelVersions';
export {
  listAssessments,
  saveAssessment,
  type AssessmentFilter,
  type AssessmentWithModel,
} from './repositories/assessments';
export { createGuest, listDrawings, saveDrawing, type DrawingInput } from './repositories/drawings';
