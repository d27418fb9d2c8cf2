/**
 * The sessions' shared log in Redis, for several machines (the SharedSessionLog of
 * server/realtime/sessions/feed.ts). Keys (after the playground's prefix, `fmp:`), per session:
 *   fmp:session:<id>        hash: `init` (settings, host, probe images: JSON), `state`, `seq`
 *   fmp:session:<id>:log    stream: every event, with the stream id `<seq>-0`
 * and for all sessions:
 *   fmp:sessions            sorted set: id by creation time (the lobby's list)
 *   fmp:sessions:feed       stream every process tails: sessions created, events appended
 * One Lua script numbers an event: it checks the expected state (a host's command that lost a race
 * is refused, not applied twice), takes the next seq, appends to both streams and returns the
 * numbered event, atomically. So seqs are gap-free and in one order, whichever process appended.
 */
import type { Redis } from 'ioredis';
import { SessionEventSchema, type SessionEvent, type SessionState } from '../../lib/protocol';
import { SessionConfigSchema } from '../../lib/protocol';
import type { UnnumberedEvent } from '../realtime/sessions/eventLog';
import type { SharedSessionLog, SharedSessionRecord } from '../realtime/sessions/feed';
import type { SessionInit, TrainingSession } from '../realtime/sessions/session';
import { z } from 'zod';

/** The feed is for processes following now; a late one reads sessions from their own logs. */
const FEED_MAX_LEN = 20_000;
/** An ended session stays in the shared log this long (it is stored in PostgreSQL). */
const ENDED_TTL_S = 86_400;

// KEYS: hash, log, feed. ARGV: id, event JSON (without seq and at), expected state or '', now (ms),
// max feed length, seconds an ended session stays.
const APPEND = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1, ''} end
if ARGV[3] ~= '' and state ~= ARGV[3] then return {0, state} end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local event = '{"seq":' .. seq .. ',"at":' .. ARGV[4] .. ',' .. string.sub(ARGV[2], 2)
local next = string.match(ARGV[2], '^{"type":"state","state":"(%a+)"')
if next then
  redis.call('HSET', KEYS[1], 'state', next)
  -- An ended session is in PostgreSQL too: its shared copy goes after a day.
  if next == 'finished' or next == 'stopped' or next == 'failed' then
    redis.call('EXPIRE', KEYS[1], ARGV[6])
    redis.call('EXPIRE', KEYS[2], ARGV[6])
  end
end
redis.call('XADD', KEYS[2], seq .. '-0', 'e', event)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[1], 'e', event)
return {seq, event}
`;

const InitSchema = z.object({
  id: z.string(),
  config: SessionConfigSchema,
  hostIdentity: z.string(),
  hostNickname: z.string(),
  createdAt: z.coerce.date(),
  probeImages: z.array(z.string()).default([]),
});

type StreamEntries = [id: string, fields: string[]][];

export class RedisSessionLog implements SharedSessionLog {
  private following = false;
  private stopped = false;
  private readonly sessionKey = (id: string) => `${this.prefix}session:${id}`;
  private readonly logKey = (id: string) => `${this.prefix}session:${id}:log`;
  private readonly listKey: string;
  private readonly feedKey: string;

  /**
   * `redis` runs the commands; `reader` is a connection of its own for the blocking read of the
   * feed (a blocked connection can do nothing else).
   */
  constructor(
    private readonly redis: Redis,
    private readonly reader: Redis,
    /** Every key starts with it (the playground's redisPrefix, `fmp:`; tests use their own). */
    private readonly prefix: string,
  ) {
    this.listKey = `${prefix}sessions`;
    this.feedKey = `${prefix}sessions:feed`;
    redis.defineCommand('fmpAppend', { numberOfKeys: 3, lua: APPEND });
  }

  async append(session: TrainingSession, event: UnnumberedEvent, expect?: SessionState): Promise<SessionEvent | null> {
    // The script splices seq and at in after the first brace, and reads a state event's new state
    // from its start: so `type` (and `state`) must come first, as they do here.
    const { type, ...rest } = event as { type: string; state?: string };
    const json = JSON.stringify(type === 'state' ? { type, state: rest.state, ...rest } : { type, ...rest });
    const [seq, out] = (await (
      this.redis as unknown as { fmpAppend(...args: (string | number)[]): Promise<[number, string]> }
    ).fmpAppend(
      this.sessionKey(session.id),
      this.logKey(session.id),
      this.feedKey,
      session.id,
      json,
      expect ?? '',
      Date.now(),
      FEED_MAX_LEN,
      ENDED_TTL_S,
    )) as [number, string];
    if (seq === -1) throw new Error(`session ${session.id} is not in the shared log`);
    if (seq === 0) return null;
    const numbered = parseEvent(out);
    // This process need not wait for its own event to come round the feed (a repeat is ignored).
    session.receive(numbered);
    return numbered;
  }

  async create(session: TrainingSession): Promise<void> {
    const init: SessionInit = {
      id: session.id,
      config: session.config,
      hostIdentity: session.hostIdentity,
      hostNickname: session.hostNickname,
      createdAt: session.createdAt,
      probeImages: session.probeImages,
    };
    const json = JSON.stringify(init);
    await this.redis
      .multi()
      .hset(this.sessionKey(session.id), { init: json, state: session.state, seq: session.log.lastSeq })
      .zadd(this.listKey, session.createdAt.getTime(), session.id)
      .zremrangebyrank(this.listKey, 0, -1001) // the newest 1,000 are listed; older ones load from PostgreSQL
      .xadd(this.feedKey, 'MAXLEN', '~', FEED_MAX_LEN, '*', 'created', json)
      .exec();
  }

  async recent(limit: number): Promise<SharedSessionRecord[]> {
    const ids = await this.redis.zrevrange(this.listKey, 0, Math.max(0, limit - 1));
    const records = await Promise.all(ids.map((id) => this.load(id)));
    // Sessions whose shared copy expired leave the list (they load from PostgreSQL).
    const gone = ids.filter((_, i) => records[i] === null);
    if (gone.length) await this.redis.zrem(this.listKey, ...gone);
    return records.filter((r): r is SharedSessionRecord => r !== null);
  }

  async load(id: string): Promise<SharedSessionRecord | null> {
    const init = await this.redis.hget(this.sessionKey(id), 'init');
    if (!init) return null;
    return { init: parseInit(init), history: await this.since(id, 0) };
  }

  async since(id: string, seq: number): Promise<SessionEvent[]> {
    const entries = (await this.redis.xrange(this.logKey(id), `${seq + 1}-0`, '+')) as StreamEntries;
    return entries.map(([, fields]) => parseEvent(fieldOf(fields, 'e')!));
  }

  async follow(handlers: Parameters<SharedSessionLog['follow']>[0]): Promise<void> {
    if (this.following) throw new Error('the shared session log is already followed');
    this.following = true;
    // From the feed's newest entry as of now: what comes after is read here, what came before is
    // in the sessions' own logs, which the caller loads once this resolves. Nothing falls between.
    for (;;) {
      try {
        const [newest] = (await this.redis.xrevrange(this.feedKey, '+', '-', 'COUNT', 1)) as StreamEntries;
        void this.tail(handlers, newest?.[0] ?? '0-0');
        return;
      } catch (err) {
        // Redis is not there yet: keep trying (connectRedis logs it), a node must follow the log.
        if (this.stopped) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.reader.disconnect(); // ends a blocked XREAD at once
  }

  /** Reads the feed from now on, for as long as the process runs; reconnects (ioredis) and goes on. */
  private async tail(handlers: Parameters<SharedSessionLog['follow']>[0], from: string): Promise<void> {
    let last = from;
    while (!this.stopped) {
      let reply: [string, StreamEntries][] | null;
      try {
        reply = (await this.reader.xread('COUNT', 500, 'BLOCK', 5000, 'STREAMS', this.feedKey, last)) as
          | [string, StreamEntries][]
          | null;
      } catch {
        if (this.stopped) return;
        // Redis is away: ioredis reconnects (and logs it), and the next read goes on after the
        // last entry read, so nothing appended meanwhile is skipped.
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [entryId, fields] of entries) {
          last = entryId;
          try {
            const created = fieldOf(fields, 'created');
            if (created) handlers.created({ init: parseInit(created), history: [] });
            else handlers.event(fieldOf(fields, 'id')!, parseEvent(fieldOf(fields, 'e')!));
          } catch (err) {
            console.error('[sessions] an entry of the shared log could not be read:', (err as Error).message);
          }
        }
      }
    }
  }
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Another process wrote it: parsed like anything else that arrives from outside. */
function parseEvent(json: string): SessionEvent {
  return SessionEventSchema.parse(JSON.parse(json));
}

function parseInit(json: string): SessionInit {
  return InitSchema.parse(JSON.parse(json));
}
