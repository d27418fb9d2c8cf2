/**
 * Vitest: Node environment, one forked process per test file (tfjs-wasm, PGlite and Next.js keep
 * process-wide state, so files must not share a process).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // Installs Chromium and starts PostgreSQL where a fresh machine lacks them (tests/setup/system.ts).
    globalSetup: ['tests/setup/system.ts'],
    pool: 'forks',
    // 2 cores in CI: more parallel files than cores only adds contention.
    maxWorkers: 2,
    testTimeout: 30_000,
    // A server test may first have to run `next build` (about 30-60 s on 2 busy cores).
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  },
});
