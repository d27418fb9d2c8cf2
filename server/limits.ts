/**
 * Every rate limit of the playground, in ONE module (docs/limits.md is the table): each write and
 * each expensive request is counted per guest (or, for an anonymous one, per connection) AND per
 * client address (server/http/client.ts), so neither new connections nor new guests reset a limit.
 * The limiters come from `rate-limiter-flexible`; `makeLimiter` is the only place that picks their
 * store: this process's memory, or Redis when web nodes share one (several machines, issue 20), so
 * that a guest cannot multiply a limit by the number of nodes behind the load balancer.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from './cluster/redis';
import { UserFacingError } from './errors';

/** `points` actions per `seconds`. */
export interface Rate {
  points: number;
  seconds: number;
}

export interface LimitRule {
  /** Plural noun for the sentence, e.g. "saved drawings". */
  what: string;
  /** Per guest; a request without a guest counts per connection instead. null: no such limit. */
  guest: Rate | null;
  /** Per client address (a household, an office, a NAT). */
  address: Rate | null;
}

export const LIMIT_ACTIONS = [
  'recognize',
  'recognizePoints',
  'drawSave',
  'roomStart',
  'roomGuess',
  'sessionCreate',
  'voteStart',
  'voteCast',
  'voteCandidate',
  'variations',
  'identityCreate',
  'identityRename',
  'collectionWrite',
  'operator',
  'modelDownload',
] as const;
export type LimitAction = (typeof LIMIT_ACTIONS)[number];

export type LimitRules = Record<LimitAction, LimitRule>;

const per = (points: number, seconds: number): Rate => ({ points, seconds });

/** The defaults (docs/limits.md). */
export const DEFAULT_LIMITS: LimitRules = {
  // draw:recognize and room:draw together; the page sends about 8 a second while drawing.
  recognize: { what: 'recognition requests', guest: per(20, 1), address: per(40, 1) },
  // The same requests weighed by their points (their cost): a drawing of 1,000 points 8 times a
  // second fits; 6,000-point drawings built to be slow pass 5 a second per person.
  recognizePoints: { what: 'drawn points to recognize', guest: per(30_000, 1), address: per(60_000, 1) },
  drawSave: { what: 'saved drawings', guest: per(10, 60), address: per(30, 60) },
  roomStart: { what: 'new drawing rounds', guest: per(6, 60), address: per(20, 60) },
  // One guess per few seconds: a guesser cannot send all ten labels.
  roomGuess: { what: 'guesses', guest: per(1, 3), address: per(6, 3) },
  // Open-session slots (50) last 15 minutes when abandoned: a few per address per 15 minutes.
  sessionCreate: { what: 'new training sessions', guest: per(3, 900), address: per(5, 900) },
  voteStart: { what: 'new voting rounds', guest: per(4, 60), address: per(10, 60) },
  voteCast: { what: 'votes', guest: per(60, 60), address: per(240, 60) },
  // Votes on one candidate from one address (every guest there together), over a round's longest life.
  voteCandidate: { what: 'votes on this candidate from your network', guest: null, address: per(8, 600) },
  variations: { what: '"More like this" requests', guest: per(6, 60), address: per(12, 60) },
  // New guests (POST /api/identity without a valid cookie).
  identityCreate: { what: 'new guest identities', guest: null, address: per(3, 60) },
  identityRename: { what: 'nickname changes', guest: per(10, 60), address: per(30, 60) },
  // Every collection create/update/add/remove/reorder/delete, socket and HTTP together.
  collectionWrite: { what: 'collection changes', guest: per(30, 60), address: per(60, 60) },
  // models:serve, charged before the token is checked: a token cannot be guessed at socket speed.
  operator: { what: 'operator requests', guest: per(10, 60), address: per(20, 60) },
  // GET /api/models/:id/archive: megabytes each (a VAE's archive is ~10 MB), from any address.
  modelDownload: { what: 'model downloads', guest: null, address: per(10, 60) },
};

/**
 * Socket.IO messages of any kind a connection, and a client address, may send (server/realtime/
 * messageBudget.ts): counted in this process before any handler parses them, so a flood of cheap or
 * malformed requests costs the server little more than reading it. A page sends a few a second (about
 * 8 while drawing); the address budget leaves room for many people behind one NAT.
 */
export interface MessageBudget {
  connection: Rate;
  address: Rate;
}

export const DEFAULT_MESSAGE_BUDGET: MessageBudget = { connection: per(100, 5), address: per(1000, 5) };

/** A budget that never refuses (tests of other features). */
export const RELAXED_MESSAGE_BUDGET: MessageBudget = { connection: per(1e9, 1), address: per(1e9, 1) };

/** Limits high enough never to refuse (tests of other features, which act fast from one address). */
export const RELAXED_LIMITS: LimitRules = Object.fromEntries(
  LIMIT_ACTIONS.map((a) => [a, { what: DEFAULT_LIMITS[a].what, guest: per(1e9, 1), address: per(1e9, 1) }]),
) as LimitRules;

/** Who is acting: the guest (or null), the connection (for anonymous ones), the client address. */
export interface Actor {
  guest: string | null;
  connection?: string;
  address: string;
}

/** Where the shared counters live in Redis: `fmp:limit:<action>:<scope>:<key>`. */
export const LIMIT_KEY_PREFIX = 'fmp:limit:';

export interface LimitStore {
  /** Count in this Redis (shared by every node that uses it); without it, in this process's memory. */
  redis?: Redis;
  /** Prefix of the Redis keys (tests give each file its own); default LIMIT_KEY_PREFIX. */
  keyPrefix?: string;
}

/** The one place that picks the store. */
export function makeLimiter(name: string, rate: Rate, store: LimitStore = {}): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix: name, points: rate.points, duration: rate.seconds });
  if (!store.redis) return memory;
  return new RateLimiterRedis({
    storeClient: store.redis,
    useRedisPackage: false, // ioredis, not node-redis
    keyPrefix: `${store.keyPrefix ?? LIMIT_KEY_PREFIX}${name}`,
    points: rate.points,
    duration: rate.seconds,
    // While Redis is down, ioredis would hold each command until it reconnects and the request
    // would hang; instead the limiter asks its insurance at once. Counting then falls back to
    // per-process limits (each node allows the full rate, from zero) until Redis is back: looser
    // than shared limits, but neither letting everything through nor refusing everyone.
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

/** A refusal by a rate limit (HTTP 429); its message says which limit and how long to wait. */
export class RateLimitError extends UserFacingError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

const period = (seconds: number): string =>
  seconds === 1
    ? 'second'
    : seconds === 60
      ? 'minute'
      : seconds % 60 === 0
        ? `${seconds / 60} minutes`
        : `${seconds} seconds`;

export class Limits {
  readonly rules: LimitRules;
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    rules: Partial<LimitRules> = {},
    private readonly store: LimitStore = {},
  ) {
    this.rules = { ...DEFAULT_LIMITS, ...rules };
  }

  /**
   * Counts one `action` of `actor` (and `subject`, e.g. a candidate id, when the limit is per thing);
   * refuses with a sentence saying which limit and how long to wait.
   */
  /** `cost`: how many of the rule's points this action takes (default 1). */
  async take(action: LimitAction, actor: Actor, subject?: string | number, cost = 1): Promise<void> {
    const rule = this.rules[action];
    const suffix = subject === undefined ? '' : `|${subject}`;
    const own = actor.guest ? `g:${actor.guest}` : actor.connection ? `c:${actor.connection}` : null;
    if (rule.guest && own)
      await this.consume(
        action,
        'guest',
        rule.guest,
        own + suffix,
        rule.what,
        actor.guest ? 'person' : 'connection',
        cost,
      );
    if (rule.address)
      await this.consume(action, 'address', rule.address, actor.address + suffix, rule.what, 'network address', cost);
  }

  private async consume(
    action: LimitAction,
    scope: string,
    rate: Rate,
    key: string,
    what: string,
    whose: string,
    cost: number,
  ): Promise<void> {
    const name = `${action}:${scope}`;
    let limiter = this.limiters.get(name);
    if (!limiter) this.limiters.set(name, (limiter = makeLimiter(name, rate, this.store)));
    try {
      await limiter.consume(key, cost);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const wait = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new RateLimitError(
        `Too many ${what}: at most ${rate.points} per ${period(rate.seconds)} per ${whose}; wait ${wait} s and try again.`,
        wait,
      );
    }
  }
}
