/**
 * The live sessions of several machines, put together for a web node: the shared log (with its own
 * connection for the blocking read of its feed), presence relayed between nodes, and, unless the
 * nodes train themselves (TRAINERS=local), the queue that hands sessions to trainer processes.
 * server/playground.ts passes this to the sessions (server/realtime/sessions/handlers.ts).
 */
import type { ClusterSessions } from '../realtime/sessions/handlers';
import { SharedPresence } from './presence';
import type { Redis } from './redis';
import { RedisSessionLog } from './sessionLog';
import { QueueSlots } from './trainingQueue';

export function clusterSessions(redis: Redis, prefix: string, trainers: 'local' | 'queue' = 'queue'): ClusterSessions {
  // Connections of their own: a blocking read, and a subscription, can do nothing else.
  const own = () => redis.duplicate().on('error', () => undefined); // the main one logs Redis going away
  const log = new RedisSessionLog(redis, own(), prefix);
  return {
    log,
    slots: trainers === 'queue' ? (registry) => new QueueSlots(redis, prefix, registry) : undefined,
    presence: (sessionOf, localViewers) => new SharedPresence(redis, own(), prefix, sessionOf, localViewers),
    close: () => log.close(),
  };
}
