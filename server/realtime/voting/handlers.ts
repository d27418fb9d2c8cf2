/**
 * The voting, gallery, collection and assessment events on every connection, and the HTTP routes
 * of collections. Reads are open to everyone; writes need the guest cookie (requireGuest).
 * Tallies are pushed batched: the changed candidates' absolute counts, once per event-loop turn
 * per room, in order, so the last push a client receives is exact. With several web nodes, the
 * requests on a room's open round run on the node that holds it (forwarding.ts).
 */
import { getDbLazily } from '../../db/lazy';
import path from 'node:path';
import { UserFacingError } from '../../errors';
import { Limits } from '../../limits';
import { Moderation, type ModerationChange } from '../../moderation';
import { ASSESSMENTS_PAGE, HIDDEN_NICKNAME, type RequestData } from '../../../lib/protocol';
import { actorOf } from '../actor';
import type { Redis } from '../../cluster/redis';
import { NodeRequests } from '../../cluster/nodeRequests';
import { RoundOwners } from '../../cluster/roundOwners';
import type { Db } from '../../db';
import { listAssessments } from '../../db/repositories/assessments';
import { findVersion, servedVersion, versionDir } from '../../modelVersions/catalog';
import { guestOf, requireGuest, type ApiRoute, type Guests, type GuestIdentity } from '../../identity';
import { pngDataUrl } from '../../ml/image';
import type { VoteTally } from '../../../lib/protocol';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import { collectionRoutes } from './collectionRoutes';
import { COLLECTION_WRITES, writeCollection, type CollectionWrite } from './collectionWrites';
import { ShownContent } from './shown';
import { CandidateGenerator } from './generator';
import { callerOf, requireCaller, RoundRouter, type Caller, type RoundHandlers } from './forwarding';
import { DEFAULT_VOTING, publicIdOf, VotingRooms, type VotingSettings } from './rooms';
import { collectionFor, collectionList, galleryDetail, galleryPage } from './views';

export interface VotingOptions {
  /** VAE folder; default `${MODELS_DIR}/vae`. */
  vaeDir?: string;
  /** Judge CNN folder; default `${MODELS_DIR}/cnn`. */
  judgeDir?: string;
  getDb?: () => Promise<Db>;
  settings?: Partial<VotingSettings>;
  /** The playground's limits (server/limits.ts); default the defaults. */
  limits?: Limits;
  /** What an operator hid (server/moderation.ts); default nothing is hidden. */
  moderation?: Moderation;
  /** A guest younger than this (seconds since it picked a nickname) cannot vote yet; default VOTE_MIN_GUEST_AGE_SECONDS. */
  minGuestAgeSeconds?: number;
  /** Several machines: the Redis every web node shares, and the playground's key prefix there. */
  redis?: Redis;
  redisPrefix?: string;
}

export interface AttachedVoting {
  rooms: VotingRooms;
  /** Closes a round as `vote:close` from this socket would, on whichever node holds it. */
  closeRound(roundId: number, socket: PlaygroundSocket): Promise<RequestData<'vote:close'>>;
  generator: CandidateGenerator;
  routes: ApiRoute[];
  detach(): Promise<void>;
}

const channel = (room: string) => `vote:${room}`;

export async function attachVoting(
  io: PlaygroundServer,
  guests: Guests,
  options: VotingOptions = {},
): Promise<AttachedVoting> {
  const { env } = await import('../../env');
  const getDb = options.getDb ?? getDbLazily;
  const generator = new CandidateGenerator(
    options.vaeDir ?? path.join(env.MODELS_DIR, 'vae'),
    options.judgeDir ?? path.join(env.MODELS_DIR, 'cnn'),
  );

  // Generators of picked (or operator-served) VAE versions other than the default folder's, a few kept.
  const picked = new Map<number, CandidateGenerator>();
  const generatorFor = async (
    modelVersionId: number | null,
  ): Promise<{ generator: CandidateGenerator; modelVersionId: number } | undefined> => {
    const db = await getDb();
    const version =
      modelVersionId !== null
        ? await findVersion(db, modelVersionId, 'vae')
        : await servedVersion(db, 'vae', generator.vaeDir).catch(() => null);
    if (!version || versionDir(version) === path.resolve(generator.vaeDir)) return undefined;
    let g = picked.get(version.id);
    // Map order is use order: the version picked now goes last.
    picked.delete(version.id);
    if (!g) g = new CandidateGenerator(versionDir(version), generator.judgeDir);
    picked.set(version.id, g);
    // At most three kept (each holds a decoder and a judge in its worker): the least recently picked
    // idle one goes; one that is generating is kept until a later pick finds it idle.
    for (const [id, other] of picked) {
      if (picked.size <= 3) break;
      if (other === g || other.busy) continue;
      picked.delete(id);
      void other.dispose();
    }
    return { generator: g, modelVersionId: version.id };
  };

  /** The generator of the VAE version that made gallery item `id`; refused when that version cannot be used. */
  const variationsGenerator = async (id: number, modelVersionId: number): Promise<CandidateGenerator> => {
    try {
      return (await generatorFor(modelVersionId))?.generator ?? generator;
    } catch (err) {
      if (!(err instanceof UserFacingError)) throw err;
      throw new UserFacingError(
        `Gallery item ${id} was made by model version ${modelVersionId}, which this server can no longer use (its files are gone or its folder now holds another model), so it cannot draw variations of it.`,
      );
    }
  };

  const dirty = new Map<string, { roundId: number; tallies: Map<number, VoteTally> }>();
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    for (const [room, { roundId, tallies }] of dirty)
      io.to(channel(room)).emit('vote:tally', { roundId, tallies: [...tallies.values()] });
    dirty.clear();
  };
  const rooms = new VotingRooms(
    getDb,
    generator,
    {
      round: (state) => {
        flush(); // tallies of a round go out before the round's closing
        io.to(channel(state.room)).emit('vote:round', state);
      },
      tally: (room, roundId, tallies) => {
        let d = dirty.get(room);
        if (!d || d.roundId !== roundId) {
          if (d) flush();
          dirty.set(room, (d = { roundId, tallies: new Map() }));
        }
        for (const t of tallies) d.tallies.set(t.candidateId, t);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      },
    },
    { ...DEFAULT_VOTING, ...options.settings },
    options.redis ? new RoundOwners(options.redis, `${options.redisPrefix ?? 'fmp:'}vote:owner:`) : null,
  );
  await rooms.restoreRetrying();

  const limits = options.limits ?? new Limits();
  const moderation = options.moderation ?? new Moderation(getDb);
  const shown = new ShownContent(moderation);
  rooms.shownNickname = (name) => moderation.nickname(name);
  // A moderator hid a nickname or showed it again: the rounds this node's connections watch that
  // name it as host are sent to them again (each node serves its own connections).
  const onModeration = (change: ModerationChange) => {
    if (change.kind !== 'nickname') return;
    const watched = [...io.sockets.adapter.rooms.keys()].filter((c) => c.startsWith(channel('')));
    for (const name of watched) {
      const room = name.slice(channel('').length);
      void rooms
        .state(room)
        .then((state) => {
          const concerned = change.hidden
            ? state?.hostNickname === HIDDEN_NICKNAME
            : Moderation.concerns(change, state?.hostNickname ?? null);
          if (state && concerned) io.local.to(name).emit('vote:round', state);
        })
        .catch((err: unknown) =>
          console.error(`[voting] sending room ${room} again failed: ${(err as Error).message}`),
        );
    }
  };
  moderation.on('changed', onModeration);
  const minAgeMs = (options.minGuestAgeSeconds ?? env.VOTE_MIN_GUEST_AGE_SECONDS) * 1000;
  /** A vote counts once its guest is old enough and within its own and its address's budgets. */
  const mayVote = async (caller: Caller, candidateId: number): Promise<GuestIdentity> => {
    const guest = requireCaller(caller);
    const age = Date.now() - guest.createdAt.getTime();
    if (age < minAgeMs) {
      throw new UserFacingError(
        `New guests can vote ${Math.round(minAgeMs / 1000)} s after picking a nickname; look around and vote in ${Math.max(1, Math.ceil((minAgeMs - age) / 1000))} s.`,
      );
    }
    await limits.take('voteCast', caller.actor);
    await limits.take('voteCandidate', caller.actor, candidateId);
    return guest;
  };

  // The requests on a room's round, wherever they arrived (run where the round is: forwarding.ts).
  const roundHandlers: RoundHandlers = {
    'vote:join': async ({ room }, { guest }) => {
      const open = rooms.openRound(room);
      return {
        round: await rooms.state(room),
        you: guest && { publicId: publicIdOf(guest.id), nickname: guest.nickname },
        myVotes: guest && open ? open.votesOf(guest.id) : [],
      };
    },
    'vote:start': async ({ room, modelVersionId, ...o }, caller) => {
      const host = requireCaller(caller);
      await limits.take('voteStart', caller.actor);
      return { round: await rooms.start(room, host, { ...o, using: await generatorFor(modelVersionId) }) };
    },
    'vote:cast': async ({ roundId, candidateId, value }, caller) => ({
      tally: await rooms.cast(await mayVote(caller, candidateId), roundId, candidateId, value),
      value,
    }),
    'vote:close': async ({ roundId }, caller) => ({ round: await rooms.close(roundId, requireCaller(caller)) }),
  };
  const owners = rooms.owners;
  const router = new RoundRouter(
    rooms,
    roundHandlers,
    getDb,
    owners && ((serve) => new NodeRequests(io, 'vote:forward', owners.node, serve)),
  );

  const onConnection = (socket: PlaygroundSocket): void => {
    onRequest(socket, 'vote:join', async (payload) => {
      // The socket enters the room on its own node; the round's pushes reach it there through the adapter.
      await socket.join(channel(payload.room));
      return router.serve('vote:join', payload, callerOf(socket));
    });
    onRequest(socket, 'vote:leave', async ({ room }) => {
      await socket.leave(channel(room));
      return {};
    });
    onRequest(socket, 'vote:start', (payload) => router.serve('vote:start', payload, callerOf(socket)));
    onRequest(socket, 'vote:cast', (payload) => router.serve('vote:cast', payload, callerOf(socket)));
    onRequest(socket, 'vote:close', (payload) => router.serve('vote:close', payload, callerOf(socket)));

    onRequest(socket, 'gallery:list', async (f) => {
      const page = await galleryPage(await getDb(), f);
      await moderation.ready();
      const items = page.items.filter((i) => !shown.isHiddenItem(i.id));
      return {
        items: items.map((i) => shown.item(i)),
        total: Math.max(items.length, page.total - (page.items.length - items.length)),
      };
    });
    onRequest(socket, 'gallery:item', async ({ id }) => {
      await shown.assertItemShown(id);
      return shown.detail(await galleryDetail(await getDb(), id));
    });
    onRequest(socket, 'gallery:variations', async ({ id, count }) => {
      await shown.assertItemShown(id);
      await limits.take('variations', actorOf(socket));
      const item = await (await getDb()).galleryItem.findUnique({
        where: { id },
        select: { candidateId: true, label: true, latent: true, modelVersionId: true },
      });
      if (!item) throw new UserFacingError(`There is no gallery item ${id}; pick one from the gallery.`);
      // Its latent means something only to the decoder that made it (the served VAE, a picked version, a session's).
      if (item.modelVersionId === null)
        throw new UserFacingError(
          `Gallery item ${id} was made by a model this server did not record, so it cannot draw variations of it.`,
        );
      const made = await (await variationsGenerator(id, item.modelVersionId)).generate({
        kind: 'bred',
        parents: [{ candidateId: item.candidateId, label: item.label, latent: item.latent }],
        count,
        bestOf: 4,
        seed: Math.floor(Math.random() * 2 ** 31),
        mutation: 0.5,
      });
      return { images: made.map((m) => ({ image: pngDataUrl(m.png), confidence: m.confidence })) };
    });

    const viewer = () => guestOf(socket)?.id ?? null;
    onRequest(socket, 'collections:list', async (payload) => {
      await shown.ready();
      return shown.collections(await collectionList(await getDb(), payload, viewer(), shown.hiddenItems()));
    });
    onRequest(socket, 'collection:get', async ({ id }) => {
      const view = await collectionFor(await getDb(), id, viewer());
      await shown.ready();
      return shown.collection(view);
    });
    const write = <N extends CollectionWrite>(name: N) =>
      onRequest(socket, name, async (input) => {
        const guest = requireGuest(socket);
        await limits.take('collectionWrite', actorOf(socket));
        return writeCollection(name, await getDb(), guest.id, input, shown);
      });
    COLLECTION_WRITES.forEach(write);

    onRequest(socket, 'assessments:list', async ({ beforeId }) => {
      const rows = await listAssessments(await getDb(), { limit: ASSESSMENTS_PAGE + 1, beforeId });
      return {
        hasMore: rows.length > ASSESSMENTS_PAGE,
        assessments: rows.slice(0, ASSESSMENTS_PAGE).map((a) => ({
          id: a.id,
          source: a.source,
          createdAt: a.createdAt.toISOString(),
          metrics: a.metrics,
          modelVersion: (({ trainingSessions: _s, ...v }) => ({ ...v, createdAt: v.createdAt.toISOString() }))(
            a.modelVersion,
          ),
          session: a.modelVersion.trainingSessions[0] ?? null,
        })),
      };
    });
  };

  io.on('connection', onConnection);
  return {
    closeRound: (roundId, socket) => router.serve('vote:close', { roundId }, callerOf(socket)),
    rooms,
    generator,
    routes: collectionRoutes(guests, getDb, limits, moderation),
    async detach() {
      io.off('connection', onConnection);
      moderation.off('changed', onModeration);
      router.detach();
      await rooms.dispose();
      await generator.dispose();
      await Promise.all([...picked.values()].map((g) => g.dispose()));
    },
  };
}
