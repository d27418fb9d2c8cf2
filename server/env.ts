/**
 * The process environment, parsed once by a schema. Every other module imports `env` from here and
 * never reads `process.env` itself, so a bad value stops the process at start with one sentence
 * that names the variable and how to fix it.
 */
import path from 'node:path';
import { z } from 'zod';

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** A real PostgreSQL. Unset: the embedded PGlite database in `${DATA_DIR}/pglite`. */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgresql:// (or postgres://)')
      .optional(),
  ),
  /** Where the playground keeps its own state (embedded database, cookie secret). */
  DATA_DIR: z.string().default('data'),
  /** Force one TensorFlow.js backend; `auto` tries them in the order of BACKEND_NAMES. */
  TFJS_BACKEND: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /** A folder holding the four Fashion-MNIST IDX files (gzip). Unset: data/fashion-mnist, then Debian's. */
  FASHION_MNIST_DIR: optionalString,
  MODELS_DIR: z.string().default('models'),
  /** Signs the guest cookie (at least 32 characters). Unset: a random one kept in `${DATA_DIR}/cookie-secret`. */
  COOKIE_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /**
   * The operator's credential: changes the served default model and hides abusive content
   * (server/admin.ts). Unset: nobody can do either.
   */
  ADMIN_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
});

export type Env = z.infer<typeof schema>;

/** Parses an environment; throws an Error whose message is one readable sentence per bad variable. */
export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `Environment variable ${i.path.join('.')} is invalid: ${i.message}.`,
    );
    throw new Error(lines.join('\n') + '\nFix or unset it (see README.md, Configuration).');
  }
  return result.data;
}

/** Parsed at import: a bad variable stops the process here with its sentence, not a stack trace. */
export const env: Env = (() => {
  try {
    return parseEnv(process.env);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }
})();

/** Absolute path of the playground's data folder. */
export const dataDir = (): string => path.resolve(env.DATA_DIR);
