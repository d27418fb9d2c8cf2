/**
 * Vitest global setup: what `npm test` needs from the machine, put in place before any test runs,
 * so that a fresh machine of this kind passes with nothing installed by hand (as .ci/run does):
 * Debian's Chromium for the browser tests, PostgreSQL answering on 127.0.0.1:5432, and Redis on
 * 127.0.0.1:6379 for the several-machines tests (unless TEST_REDIS_URL points elsewhere).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

function run(cmd: string, args: string[]): boolean {
  return (
    spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0
  );
}

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.warn(
      `[setup] No Chromium at ${CHROMIUM}; the browser tests will fail. Install it: sudo apt-get install -y chromium`,
    );
    return;
  }
  console.log('[setup] installing Debian chromium for the browser tests (once)...');
  if (!run('apt-get', ['install', '-y', '-qq', 'chromium'])) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium']);
  }
}

function postgresAnswers(): boolean {
  return spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']).status === 0;
}

async function ensurePostgres(): Promise<void> {
  if (postgresAnswers() || !existsSync('/etc/postgresql')) return;
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) return;
  console.log('[setup] PostgreSQL is down: starting it...');
  try {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  } catch {
    // reported by the tests that need it, with the command to run
  }
  for (let i = 0; i < 30 && !postgresAnswers(); i++) await new Promise((r) => setTimeout(r, 1000));
}

function redisAnswers(): boolean {
  return spawnSync('redis-cli', ['-h', '127.0.0.1', 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
}

async function ensureRedis(): Promise<void> {
  if (process.env.TEST_REDIS_URL || redisAnswers()) return;
  if (!run('sh', ['-c', 'command -v redis-server >/dev/null'])) {
    if (process.getuid?.() !== 0) {
      console.warn(
        '[setup] No Redis; the several-machines tests will fail. Install it: sudo apt-get install -y redis-server',
      );
      return;
    }
    console.log('[setup] installing Debian redis-server for the several-machines tests (once)...');
    if (!run('apt-get', ['install', '-y', '-qq', 'redis-server'])) {
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', 'redis-server']);
    }
  }
  console.log('[setup] Redis is down: starting it...');
  // As .ci/run does; a developer who is not root gets the same layout under the temporary folder.
  const base = process.getuid?.() === 0 ? '/var' : path.join(tmpdir(), 'fmp-redis');
  try {
    mkdirSync(path.join(base, 'lib/redis'), { recursive: true });
    mkdirSync(path.join(base, 'log/redis'), { recursive: true });
    // Nothing saved to disk: the tests' keys are theirs and short-lived.
    execFileSync(
      'redis-server',
      // biome-ignore format: one flag and its value a line
      [
        '--daemonize', 'yes',
        '--bind', '127.0.0.1', '-::1',
        '--port', '6379',
        '--save', '',
        '--appendonly', 'no',
        '--dir', path.join(base, 'lib/redis'),
        '--logfile', path.join(base, 'log/redis/ci.log'),
      ],
      { stdio: 'inherit' },
    );
  } catch {
    // reported by the tests that need it
  }
  for (let i = 0; i < 10 && !redisAnswers(); i++) await new Promise((r) => setTimeout(r, 500));
}

export default async function setup(): Promise<void> {
  ensureChromium();
  await ensurePostgres();
  await ensureRedis();
}
