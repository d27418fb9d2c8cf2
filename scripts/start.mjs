// `npm start`: make sure the Prisma client and the production build of the pages exist and match
// the sources, then run the one server process (server/main.ts) in production mode.
// `ensureNextBuild` is also what the tests call before they start a production server.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const STAMP = path.join(ROOT, '.next', 'playground-sources.sha256');
const LOCK = path.join(ROOT, 'node_modules', '.cache', 'playground-next-build.lock');
const LOCK_STALE_MS = 15 * 60_000;

// Whatever `next build` reads besides app/ and what app/ imports: a change here needs a rebuild.
const CONFIG_FILES = ['next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package-lock.json'];
const SOURCE_EXT = ['.ts', '.tsx', '.js', '.mjs', '.jsx', '.css'];

/** Files under `dir` (recursively), sorted; missing folder: none. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

/** The local file an import specifier in `from` points to, or null for a package import. */
function resolveImport(from, specifier) {
  let base;
  if (specifier.startsWith('.')) base = path.resolve(path.dirname(from), specifier);
  else if (specifier.startsWith('@/')) base = path.join(ROOT, specifier.slice(2));
  else return null;
  const candidates = [base, ...SOURCE_EXT.map((e) => base + e), ...SOURCE_EXT.map((e) => path.join(base, 'index' + e))];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|@import\s+['"]([^'"]+)['"]/g;

/**
 * The files the pages are built from: app/, public/, the config files and every local file app/
 * imports, followed transitively (app/ imports server/realtime/protocol.ts, for instance).
 */
export function buildInputs() {
  const seen = new Set();
  const queue = [...listFiles(path.join(ROOT, 'app'))];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!SOURCE_EXT.includes(path.extname(file))) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const target = resolveImport(file, m[1] ?? m[2] ?? m[3] ?? m[4]);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  for (const f of listFiles(path.join(ROOT, 'public'))) seen.add(f);
  for (const f of CONFIG_FILES) if (existsSync(path.join(ROOT, f))) seen.add(path.join(ROOT, f));
  return [...seen].sort();
}

/** One hash over the names and contents of the build inputs (contents, not times: git checkouts touch times). */
export function sourcesHash() {
  const hash = createHash('sha256');
  for (const file of buildInputs()) {
    hash.update(path.relative(ROOT, file) + '\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function buildIsFresh() {
  return (
    existsSync(path.join(ROOT, '.next', 'BUILD_ID')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8').trim() === sourcesHash()
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Holds a directory lock so two callers (two test files, or a test and `npm start`) never build at once. */
async function withBuildLock(fn) {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > LOCK_STALE_MS)
        rmSync(LOCK, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Runs `next build` unless .next already holds a build of the current sources. Resolves with what it
 * did; throws an Error with the build's output when the build fails.
 */
export async function ensureNextBuild({ quiet = false } = {}) {
  if (buildIsFresh()) return { built: false, seconds: 0 };
  return withBuildLock(async () => {
    if (buildIsFresh()) return { built: false, seconds: 0 }; // built by whoever held the lock
    const hash = sourcesHash();
    if (!quiet) console.log('Building the pages (next build); this takes about a minute on a small machine...');
    const started = Date.now();
    const result = spawnSync(path.join(BIN, 'next'), ['build'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      const output = quiet ? `\n${result.stdout}\n${result.stderr}` : '';
      throw new Error(`next build failed (exit ${result.status ?? result.signal}).${output}`);
    }
    writeFileSync(STAMP, hash + '\n');
    return { built: true, seconds: (Date.now() - started) / 1000 };
  });
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

async function main() {
  if (!existsSync(path.join(BIN, 'tsx'))) fail('The dependencies are not installed; run `npm install` first.');
  if (!existsSync(path.join(ROOT, 'server', 'db', 'generated', 'client.ts'))) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'prisma-generate.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (r.status !== 0) fail('Generating the Prisma client failed (see above); run `npm install` again.');
  }
  try {
    await ensureNextBuild();
  } catch (err) {
    fail(`${err.message} Fix the error above, then run \`npm start\` again.`);
  }

  const server = spawn(path.join(BIN, 'tsx'), [path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'inherit',
  });
  // Ctrl-C reaches the whole process group, so the server already gets SIGINT; a SIGTERM sent to
  // this process alone is passed on. Either way we wait for the server to finish closing.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => server.kill('SIGTERM'));
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
