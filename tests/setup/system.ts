/**
 * Vitest global setup: what `npm test` needs from the machine, put in place before any test runs,
 * so that a fresh machine of this kind passes with nothing installed by hand (as .ci/run does):
 * Debian's Chromium for the browser tests, and PostgreSQL answering on 127.0.0.1:5432.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

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

export default async function setup(): Promise<void> {
  ensureChromium();
  await ensurePostgres();
}
