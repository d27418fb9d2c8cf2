/**
 * The Redis of the several-machines tests: the one tests/setup/system.ts starts on 127.0.0.1 (or
 * TEST_REDIS_URL). Test files run in parallel against the same Redis, so each one keeps its keys
 * under a prefix of its own and deletes them afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { deleteKeys as deleteKeysUnder } from '../../server/cluster/redis';

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix no other test file (or run) uses, e.g. `fmp-test:4242-9f3a1c:`. */
export function uniquePrefix(): string {
  return `fmp-test:${process.pid}-${randomBytes(3).toString('hex')}:`;
}

/** Resolves once the connection is ready: until then a limiter counts in memory, as while Redis is down. */
export function untilReady(...connections: Redis[]): Promise<unknown> {
  return Promise.all(
    connections.map((c) => (c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)))),
  );
}

/** Deletes every key under `prefix` (limit counters, the adapter's stream). */
export function deleteKeys(prefix: string): Promise<void> {
  return deleteKeysUnder(redisUrl(), prefix);
}
