/**
 * The playground's one wiring: every feature attached to a Socket.IO server in one place, in the
 * order they depend on each other (identity first: it authenticates handshakes and the other
 * parts ask it who a socket is). server/main.ts serves it beside the pages; tests serve it alone,
 * without a page build (tests/helpers/server.ts).
 */
import { getDbLazily } from './db/lazy';
import type { Redis } from './cluster/redis';
import type { ClientNetwork } from './http/client';
import { createHttpApi, type HttpApi, type IdentityOptions } from './identity';
import { DEFAULT_MESSAGE_BUDGET, Limits, type LimitRules, type MessageBudget } from './limits';
import { limitMessages } from './realtime/messageBudget';
import { recordAddresses } from './realtime/actor';
import { limitSendBuffers } from './realtime/backpressure';
import { attachModeration } from './realtime/moderation';
import { Moderation } from './moderation';
import { FOREIGN_ORIGIN, originAllowed } from './http/security';
import type { Recognizer } from './recognition/recognizer';
import type { RecognizerChoice } from './recognition/versions';
import type { DrawOptions } from './realtime/draw/handlers';
import type { ModelsOptions } from './realtime/models/handlers';
import type { SessionsOptions } from './realtime/sessions/handlers';
import { attachStatus, type StatusService } from './realtime/status';
import type { AttachedVoting, VotingOptions } from './realtime/voting/handlers';
import type { PlaygroundServer } from './sockets';

export interface PlaygroundOptions {
  /** The status the home page shows (backend, served model, database), already created. */
  status: StatusService;
  /** Guest cookie secret and database. */
  identity?: IdentityOptions;
  /** Voting rounds, gallery, collections (model folders, round size). */
  voting?: VotingOptions;
  /** Drawing recognition, sketches and drawing rooms (model folder, rate limit). */
  draw?: DrawOptions;
  /** Live training sessions (capacity, data and model folders, database). */
  sessions?: SessionsOptions;
  /** Model versions: the pickers' list, version pages, downloads, the operator's served default. */
  models?: ModelsOptions;
  /** Rate limits replacing the defaults of server/limits.ts (tests relax them). */
  limits?: Partial<LimitRules>;
  /** Socket.IO messages per connection and per address; default DEFAULT_MESSAGE_BUDGET (tests relax it). */
  messageBudget?: MessageBudget;
  /**
   * Several machines: the Redis every web node shares (rate limits, sessions, presence, voting rounds,
   * drawing rooms; server/cluster). Without it, all state stays in this process.
   */
  redis?: Redis;
  /** The namespace of this playground's Redis keys; default DEFAULT_REDIS_PREFIX (tests give each file its own). */
  redisPrefix?: string;
}

/** Every Redis key and channel of the playground starts with this (`fmp:limit:...`, the adapter's stream). */
export const DEFAULT_REDIS_PREFIX = 'fmp:';

export interface Playground {
  /** The JSON routes under /api (identity, collections): the HTTP side of the same features. */
  api: HttpApi;
  /** The recognizer that serves drawings (its model loads in the background). */
  recognizer: Recognizer;
  /** Which recognizer answers a drawing: a picked model version or the served default. */
  recognizers: RecognizerChoice;
  /** Voting rooms and the candidate generator. */
  voting: AttachedVoting;
  /** Resolves once the committed models and their assessments are in the database. */
  modelsImported: Promise<void>;
  /** Detaches every feature: stops training, closes rounds and rooms. The server stays open. */
  detach(): Promise<void>;
}

export async function attachPlayground(io: PlaygroundServer, options: PlaygroundOptions): Promise<Playground> {
  // Loaded lazily: they pull in TensorFlow.js and the environment, which a CLI error should not wait for.
  const { env } = await import('./env');
  const network: ClientNetwork = { trustProxy: env.TRUST_PROXY, publicUrl: env.PUBLIC_URL };
  // One set of limiters for every feature (per guest and per client address).
  const redisPrefix = options.redisPrefix ?? DEFAULT_REDIS_PREFIX;
  const limits = new Limits(options.limits, { redis: options.redis, keyPrefix: `${redisPrefix}limit:` });
  const getDb = getDbLazily;
  const moderation = new Moderation(options.voting?.getDb ?? getDb);
  // Other sites' pages may not open a connection with a visitor's cookie (cross-site WebSocket hijacking).
  io.use((socket, next) =>
    originAllowed(socket.request, network, env.ALLOWED_ORIGINS) ? next() : next(new Error(FOREIGN_ORIGIN)),
  );
  recordAddresses(io, network);
  // A flood of messages is refused before any handler parses it; a connection that keeps on is cut.
  const stopMessageBudget = limitMessages(io, options.messageBudget ?? DEFAULT_MESSAGE_BUDGET);
  // A client that stops reading is cut before its unsent data grows without bound.
  const stopBackPressure = limitSendBuffers(io, env.MAX_SEND_BUFFER_BYTES, env.SEND_STALL_MS);
  const identity = await (await import('./identity')).attachIdentity(io, { limits, moderation, ...options.identity });
  const voting = await (await import('./realtime/voting/handlers')).attachVoting(io, identity.guests, {
    limits,
    moderation,
    redis: options.redis,
    redisPrefix,
    ...options.voting,
  });
  const detachStatus = attachStatus(io, options.status);
  const draw = await (await import('./realtime/draw/handlers')).attachDraw(io, {
    limits,
    moderation,
    // Several machines: each drawing room on one node, its requests forwarded there.
    cluster: options.redis
      ? (await import('./cluster/drawRooms')).clusterDrawRooms(options.redis, redisPrefix)
      : undefined,
    ...options.draw,
  });
  // Load the served CNN now, so the status shows it and the first drawing gets a quick answer;
  // a missing model is reported by the status panel, not fatal.
  (await import('./realtime/status-sources')).reportModelOf(draw.recognizer);
  void draw.recognizer.model().then(
    () => options.status.refresh(),
    (err: unknown) => console.error(`[model] ${(err as Error).message}`),
  );
  const detachModeration = attachModeration(io, moderation, env.ADMIN_TOKEN, limits, options.redis !== undefined);
  const sessions = await (await import('./realtime/sessions/handlers')).attachSessions(
    io,
    {
      limits,
      moderation,
      // Several machines: sessions in the shared log; trainers behind a queue unless TRAINERS=local.
      cluster: options.redis
        ? (await import('./cluster/sessions')).clusterSessions(
            options.redis,
            redisPrefix,
            options.sessions?.trainers ?? env.TRAINERS,
          )
        : undefined,
      ...options.sessions,
    },
    voting,
  );
  const models = await (await import('./realtime/models/handlers')).attachModels(io, {
    moderation,
    limits,
    ...options.models,
    defaultDirs: { cnn: draw.recognizer.modelDir, vae: voting.generator.vaeDir, ...options.models?.defaultDirs },
    dataDir: options.models?.dataDir ?? options.sessions?.dataDir,
    onServedChange: (kind) => {
      options.models?.onServedChange?.(kind);
      if (kind !== 'cnn') return;
      draw.choice.invalidate();
      reportServed();
    },
  });
  // The status panel shows the model that answers drawings by default (an operator's choice survives restarts).
  const reportServed = (atStart = false): void =>
    void draw.choice
      .servedRecognizer()
      .then(async (served) => {
        if (atStart && served === draw.recognizer) return; // already reported and loading (above)
        (await import('./realtime/status-sources')).reportModelOf(served);
        await served.model();
        await options.status.refresh();
      })
      .catch((err: unknown) => console.error(`[model] ${(err as Error).message}`));
  void models.imported.then(() => reportServed(true));
  return {
    api: createHttpApi([...identity.routes, ...voting.routes, ...models.routes], network),
    recognizer: draw.recognizer,
    recognizers: draw.choice,
    voting,
    modelsImported: models.imported,
    async detach() {
      stopBackPressure();
      stopMessageBudget();
      detachModeration();
      detachStatus();
      models.detach();
      draw.detach();
      await sessions.detach();
      identity.detach();
      await voting.detach();
    },
  };
}
