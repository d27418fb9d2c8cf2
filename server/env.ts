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
  /**
   * Several machines (README, "Several machines"): a Redis every web node and trainer shares.
   * Unset: the single-process mode (everything live in this process's memory).
   */
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// (or rediss://)')
      .optional(),
  ),
  /**
   * Several machines: where sessions train. `queue` (the default with REDIS_URL): jobs for trainer
   * processes (`npm run worker`); `local`: the worker threads of the web node where the host pressed start.
   */
  TRAINERS: z.enum(['local', 'queue']).optional(),
  /** Several machines: the start of every Redis key (two playgrounds can share one Redis). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.:-]*:$/, 'must be letters, digits, dots, dashes or colons ending in a colon, e.g. fmp:')
    .default('fmp:'),
  /** false: this node serves Socket.IO and /api only (no page build needed); pages come from other nodes. */
  PAGES: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
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
  /**
   * Proxies (load balancers) in front of the server that append the client's address to
   * X-Forwarded-For and set X-Forwarded-Proto; 0 (default): clients connect directly. Limits are
   * counted per client address, so set it exactly: too high lets clients pick their own address.
   */
  TRUST_PROXY: z.coerce
    .number({ error: 'must be a whole number of proxies (0 when none)' })
    .int('must be a whole number of proxies (0 when none)')
    .min(0)
    .max(10)
    .default(0),
  /** The site's public address, e.g. https://playground.example.org: its origin is allowed, https makes cookies Secure. */
  PUBLIC_URL: optionalString.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' }).optional(),
  ),
  /** Further origins (comma-separated, e.g. https://a.example,https://b.example) whose pages may open a Socket.IO connection. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .url({ protocol: /^https?$/, error: 'must be a comma-separated list of http(s) origins' })
          .transform((u) => new URL(u).origin),
      ),
    ),
  /** A guest must be at least this old (seconds since picking a nickname) before its votes count. */
  VOTE_MIN_GUEST_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** A connection with more than this many unsent bytes that took none of them for SEND_STALL_MS (a client that stopped reading) is disconnected. */
  MAX_SEND_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(1024 * 1024),
  SEND_STALL_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** An HTTP request (headers and body) must arrive within this many ms, else 408. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
});

export type Env = z.infer<typeof schema>;

/** Parses an environment; throws an Error whose message is one readable sentence per bad variable. */
export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `Environment variable ${i.path.join('.')} is invalid: ${i.message}.`);
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
