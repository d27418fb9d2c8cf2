/**
 * Prisma's schema engine (migrations and diffs) as WebAssembly, driven through a driver adapter.
 * The Prisma CLI's migrate commands need a native engine binary it downloads from Prisma's
 * servers; this package ships the same engine on npm, so migrations also work offline.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';

export type { SchemaEngine };

/** No table or enum is managed outside Prisma. */
export const NO_EXTERNAL_OBJECTS: SchemaFilter = { externalTables: [], externalEnums: [] };

let loaded: Promise<void> | undefined;

/**
 * The package's entry imports the .wasm as an ES module, which Node does not support; so we
 * instantiate it ourselves and hand the exports to the wasm-bindgen glue, once per process.
 */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start: () => void };
    (glue as unknown as { __wbg_set_wasm: (w: unknown) => void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return loaded;
}

/** The engine's JSON log lines; kept so a failure can be explained. */
export type EngineLog = string[];

/** Runs `fn` with an engine connected through `factory`, and frees the engine afterwards. */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine, log: EngineLog) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const log: EngineLog = [];
  const engine = await glue.SchemaEngine.new(
    { datamodels: undefined },
    (line: string) => log.push(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await fn(engine, log);
  } finally {
    engine.free();
    await releaseMigrationLock(factory);
  }
}

/**
 * The engine takes PostgreSQL's advisory lock 72707369 (so two migrators never overlap) and, with
 * a driver adapter, never releases it: the native engine relied on closing its connection. A
 * connection that outlives the engine would then block every other migrator for 10 s.
 */
async function releaseMigrationLock(factory: SqlMigrationAwareDriverAdapterFactory): Promise<void> {
  const adapter = await factory.connect();
  try {
    await adapter.executeRaw({ sql: 'SELECT pg_advisory_unlock_all()', args: [], argTypes: [] });
  } finally {
    await adapter.dispose();
  }
}

/**
 * The engine rejects with objects of varying shape, and its messages end in a Rust span trace
 * ("0: sql_schema_connector::..."); this keeps the part a person can act on, on one line.
 */
export function engineErrorMessage(err: unknown): string {
  return rawMessage(err)
    .split(/\n\s*0: /)[0]!
    .replace(/^external connector error\s*/i, '')
    .replace(/^Error querying the database:\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.:]$/, '');
}

function rawMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; error?: unknown; meta?: { message?: unknown } };
    for (const candidate of [e.message, e.error, e.meta?.message]) {
      if (typeof candidate === 'string' && candidate) return candidate;
    }
    return JSON.stringify(err);
  }
  return String(err);
}
