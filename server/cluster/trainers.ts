/**
 * Which trainer processes there are (several machines): each trainer writes a line about itself
 * (host, pid, backend, slots, the sessions it runs) into one Redis hash every few seconds; web
 * nodes read the hash for the status panel and leave out a trainer silent for 15 s (killed, or cut
 * off from Redis), so the panel shows the trainers that can take work now.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { TrainerStatusSchema, type TrainerStatus } from '../../lib/protocol';

export const REPORT_MS = 5000;
const SILENT_AFTER_MS = 15_000;

const Stored = TrainerStatusSchema.extend({ seenAt: z.number() });

const keyOf = (prefix: string) => `${prefix}trainers`;

/** The trainer's side: reports now and every REPORT_MS; `stop` removes its line. */
export function reportTrainer(
  redis: Redis,
  prefix: string,
  trainer: Omit<TrainerStatus, 'running'>,
  running: () => string[],
): { stop(): Promise<void> } {
  const report = () =>
    void redis
      .hset(keyOf(prefix), trainer.id, JSON.stringify({ ...trainer, running: running(), seenAt: Date.now() }))
      .catch(() => undefined);
  report();
  const timer = setInterval(report, REPORT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.hdel(keyOf(prefix), trainer.id).catch(() => undefined);
    },
  };
}

/** The web node's side: the trainers heard from lately (long-silent ones are deleted). */
export async function listTrainers(redis: Redis, prefix: string): Promise<TrainerStatus[]> {
  const all = await redis.hgetall(keyOf(prefix));
  const now = Date.now();
  const out: TrainerStatus[] = [];
  for (const [id, json] of Object.entries(all)) {
    const parsed = Stored.safeParse(parseJson(json));
    if (!parsed.success) continue; // not a trainer's line (another version, or not ours)
    const { seenAt, ...trainer } = parsed.data;
    if (now - seenAt <= SILENT_AFTER_MS) out.push(trainer);
    else if (now - seenAt > 10 * SILENT_AFTER_MS) void redis.hdel(keyOf(prefix), id).catch(() => undefined);
  }
  return out.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
