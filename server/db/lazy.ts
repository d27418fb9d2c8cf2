/**
 * The configured database client for code that must not load the database module before it is
 * used (it reads the environment): the module is imported once and kept. Each `import()` call goes
 * through the TypeScript loader's hooks on their own thread (~0.4 ms under tsx), which a getDb per
 * request paid every time (bench:abuse: guest minting).
 */
import type { Db } from './index';

let loaded: Promise<typeof import('./index')> | undefined;

export const getDbLazily = async (): Promise<Db> => (await (loaded ??= import('./index'))).getDb();
