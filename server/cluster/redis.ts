/**
 * The Redis connections of the several-machines mode (README, "Several machines"). Every web node
 * and every trainer opens its connections here, so each one logs the same way when Redis goes
 * away and when it is back (ioredis reconnects by itself, with a growing delay up to 2 s).
 */
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

export interface RedisConnectOptions extends Omit<RedisOptions, 'role' | 'name'> {
  /** Who this connection is, for the log ("adapter", "sessions feed", ...). */
  name: string;
}

/** A connection that logs losing Redis and getting it back; it queues commands while down. */
export function connectRedis(url: string, { name: role, ...options }: RedisConnectOptions): Redis {
  const redis = new Redis(url, {
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    ...options,
  });
  let lost = false;
  redis.on('error', (err: Error) => {
    if (!lost) console.error(`[redis] ${role}: ${err.message}; reconnecting`);
    lost = true;
  });
  redis.on('close', () => {
    if (!lost && redis.status !== 'end') console.error(`[redis] ${role}: connection lost; reconnecting`);
    lost = redis.status !== 'end';
  });
  redis.on('ready', () => {
    if (lost) console.log(`[redis] ${role}: reconnected`);
    lost = false;
  });
  return redis;
}

/** Closes connections without waiting for a Redis that is down. */
export async function closeRedis(...connections: (Redis | undefined)[]): Promise<void> {
  await Promise.all(
    connections.map(async (c) => {
      if (!c || c.status === 'end') return;
      await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
      c.disconnect();
    }),
  );
}

/** Deletes every key under `prefix` (a bench's or a test's own keys) over a connection of its own. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
