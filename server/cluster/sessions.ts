/**
 * The live sessions of several machines, put together for a web node: the shared log (with its own
 * connection for the blocking read of its feed), presence relayed between nodes, and either the
 * queue that hands sessions to trainer processes (whose lock hands a dead trainer's job to another)
 * or, when the nodes train themselves (TRAINERS=local), the runner keys by which the other nodes
 * see that a node training a session has gone (killed, or cut off from Redis) and fail it.
 * server/playground.ts passes this to the sessions (server/realtime/sessions/handlers.ts).
 */
import type { ClusterSessions } from '../realtime/sessions/handlers';
import { SharedPresence } from './presence';
import type { Redis } from './redis';
import { OWNER_TTL_MS, RoundOwners } from './roundOwners';
import { RedisSessionLog } from './sessionLog';
import { QueueSlots } from './trainingQueue';

export function clusterSessions(redis: Redis, prefix: string, trainers: 'local' | 'queue' = 'queue'): ClusterSessions {
  // Connections of their own: a blocking read, and a subscription, can do nothing else.
  const own = () => redis.duplicate().on('error', () => undefined); // the main one logs Redis going away
  const log = new RedisSessionLog(redis, own(), prefix);
  return {
    log,
    slots: trainers === 'queue' ? (registry) => new QueueSlots(redis, prefix, registry) : undefined,
    runners:
      trainers === 'local'
        ? new RoundOwners(redis, runnerKeyPrefix(prefix), 'sessions', OWNER_TTL_MS, runnerTakenPrefix(prefix))
        : undefined,
    presence: (sessionOf, localViewers) => new SharedPresence(redis, own(), prefix, sessionOf, localViewers),
    close: () => log.close(),
  };
}

/** Where the runner keys of sessions trained by web nodes live: `<prefix>sessions:runner:<id>`. */
export const runnerKeyPrefix = (prefix: string) => `${prefix}sessions:runner:`;

/**
 * Where the mark that a session's runner key was ever taken lives (`<prefix>sessions:runner-taken:<id>`,
 * kept a week): a node that started after the whole cluster went down has seen no key, and fails a
 * session whose key is marked and gone.
 */
export const runnerTakenPrefix = (prefix: string) => `${prefix}sessions:runner-taken:`;
