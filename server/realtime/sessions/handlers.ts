/**
 * The training-session events on every connection: the lobby (list and live summaries), create,
 * join (snapshot since a sequence number, then live events), leave, host controls and learning
 * rate, and presence. Payloads arrive parsed by the protocol's schemas (requests.ts); this module
 * decides who may do what and broadcasts what sessions produce to their Socket.IO rooms.
 */
import { getDbLazily } from '../../db/lazy';
import path from 'node:path';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { UserFacingError } from '../../errors';
import type { Db } from '../../db';
import { Limits } from '../../limits';
import { actorOf } from '../actor';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';
import { SessionBroadcaster } from './broadcast';
import { hostIdentityOf, identityOf } from './identity';
import { SessionAssessor } from './assessor';
import { SessionStore } from './records';
import { SessionRegistry, type SessionRegistryOptions } from './registry';
import type { SharedSessionLog } from './feed';
import type { TrainingSlots } from './slots';
import type { RoundOwners } from '../../cluster/roundOwners';
import type { SessionListener, TrainingSession } from './session';
import type { SessionDetail, SessionEvent, SessionSummary, SessionViewer } from '../../../lib/protocol';
import { Moderation, type ModerationChange } from '../../moderation';
import type { AttachedVoting } from '../voting/handlers';
import { attachSessionVoting } from './voting';

export interface SessionsOptions extends Partial<Omit<SessionRegistryOptions, 'store'>> {
  /** The database; default the configured one (server/db getDb). */
  getDb?: () => Promise<Db>;
  /** Assess each finished session's model by itself (quick assessment in a worker); default true. */
  assess?: boolean;
  /** The playground's limits (server/limits.ts: sessionCreate per guest and per address); default the defaults. */
  limits?: Limits;
  /** What an operator hid (server/moderation.ts): hidden nicknames of hosts and viewers; default nothing is hidden. */
  moderation?: Moderation;
  /**
   * Several machines (server/cluster/sessions.ts): sessions live in a shared log every web node
   * follows, viewers count on every node, and (with trainer processes) sessions train elsewhere.
   */
  cluster?: ClusterSessions;
  /** Several machines: `queue` (trainer processes; default) or `local` (this node's threads); read by the playground. */
  trainers?: 'local' | 'queue';
}

/** What several machines give the sessions; made by server/cluster/sessions.ts. */
export interface ClusterSessions {
  log: SharedSessionLog;
  /** Trainer processes behind a queue; none: this node's own threads. */
  slots?: (registry: SessionRegistry) => TrainingSlots;
  /** This node's own threads train: the keys that say which node runs which session. */
  runners?: RoundOwners;
  /** Relays this node's viewers to the others and theirs to this one. */
  presence(
    sessionOf: (id: string) => TrainingSession | undefined,
    localViewers: () => Map<string, [string, SessionViewer][]>,
  ): {
    joined(sessionId: string, viewer: SessionViewer, socketId: string): void;
    left(sessionId: string, viewerId: string, socketId: string): void;
    close(): Promise<void>;
  };
  close(): Promise<void>;
}

export interface AttachedSessions {
  registry: SessionRegistry;
  detach(): Promise<void>;
}

/** Socket.IO room of the lobby page, and of one session (a later feature, e.g. voting, may share it). */
export const LOBBY_CHANNEL = 'sessions:lobby';
export const sessionChannel = (sessionId: string): string => `session:${sessionId}`;

/** Lobby summaries of a session that is only progressing: at most one per this many ms. */
const LOBBY_PROGRESS_MS = 1000;
const MAX_SESSIONS_PER_CONNECTION = 8;
const CONTROLS_PER_SECOND = 10;

interface Membership {
  identity: string;
  nickname: string;
  viewerId: string;
  viewer: SessionViewer;
  /** The shard room of the session this socket is in (see broadcast.ts). */
  shard: string;
}

/** `voting`: the voting rooms, for the voting rounds of VAE sessions (session:vote:*); without it they are not served. */
export async function attachSessions(
  io: PlaygroundServer,
  options: SessionsOptions = {},
  voting?: Pick<AttachedVoting, 'rooms' | 'closeRound'>,
): Promise<AttachedSessions> {
  const { dataDir } = await import('../../env');
  const getDb = options.getDb ?? getDbLazily;
  const limits = options.limits ?? new Limits();
  const controls = new RateLimiterMemory({ points: CONTROLS_PER_SECOND, duration: 1 });
  const moderation = options.moderation ?? new Moderation(getDb);
  const shown = new ShownSessions(moderation);
  const lobby = new LobbyFeed(io, shown);

  const broadcasters = new WeakMap<TrainingSession, SessionBroadcaster>();
  const broadcaster = (session: TrainingSession): SessionBroadcaster => {
    let b = broadcasters.get(session);
    if (!b) broadcasters.set(session, (b = new SessionBroadcaster(io, sessionChannel(session.id))));
    return b;
  };

  // Every process holding a session (with several machines: every web node) sends its events to
  // its own sockets only (io.local): each node receives every event from the shared log itself.
  const listener: SessionListener = {
    event(session, event) {
      const sessionId = session.id;
      if (event.type === 'batch')
        broadcaster(session).send((room) => io.local.to(room).volatile.emit('session:batch', { sessionId, event }));
      else {
        const shownEvent = shown.event(event);
        broadcaster(session).send((room) => io.local.to(room).emit('session:event', { sessionId, event: shownEvent }));
      }
    },
    presence(session, changes) {
      io.local.to(sessionChannel(session.id)).emit('session:presence', {
        sessionId: session.id,
        viewers: session.presence.size,
        changes: changes.map((c) => (c.op === 'join' ? { ...c, viewer: shown.viewer(c.viewer) } : c)),
      });
      lobby.update(session, false);
    },
    changed(session, urgent, queueMoved) {
      lobby.update(session, urgent);
      if (queueMoved)
        io.local.to(sessionChannel(session.id)).emit('sessions:summary', shown.summary(session.summary()));
    },
  };
  const cluster = options.cluster;
  const queued = cluster?.slots !== undefined;
  const registry = new SessionRegistry(listener, {
    ...options,
    outRoot: options.outRoot ?? path.join(dataDir(), 'sessions'),
    store: new SessionStore(getDb),
    // With trainer processes, they assess the models they train.
    assessor: options.assess === false || queued ? undefined : new SessionAssessor({ getDb, dataDir: options.dataDir }),
    shared: cluster?.log,
    slots: cluster?.slots,
    runners: cluster?.runners,
  });
  registry.shownNickname = (name) => moderation.nickname(name);
  void registry.ready();

  /** Per connection: the sessions it joined, as whom. */
  const members = new Map<string, Map<string, Membership>>();
  const membershipsOf = (socket: PlaygroundSocket): Map<string, Membership> => {
    let m = members.get(socket.id);
    if (!m) members.set(socket.id, (m = new Map()));
    return m;
  };

  let presence: ReturnType<ClusterSessions['presence']> | undefined;
  if (cluster) {
    // Viewers on every node count in every node's presence (cluster/presence.ts).
    const localViewers = () => {
      const bySession = new Map<string, [string, SessionViewer][]>();
      for (const [socketId, mine] of members)
        for (const [sessionId, m] of mine) {
          const list = bySession.get(sessionId) ?? [];
          list.push([socketId, m.viewer]);
          bySession.set(sessionId, list);
        }
      return bySession;
    };
    presence = cluster.presence((id) => registry.peek(id), localViewers);
  }

  const limit = async (limiter: RateLimiterMemory, socket: PlaygroundSocket, sentence: string): Promise<void> => {
    try {
      await limiter.consume(socket.id);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new UserFacingError(sentence);
      throw err;
    }
  };

  const find = async (sessionId: string): Promise<TrainingSession> => {
    const session = await registry.get(sessionId);
    if (!session)
      throw new UserFacingError(`There is no session ${sessionId}; check the link or pick a session in the lobby.`);
    return session;
  };

  /** The caller's membership of a session it must have joined to act on it. */
  const joined = async (
    socket: PlaygroundSocket,
    sessionId: string,
  ): Promise<{ session: TrainingSession; member: Membership }> => {
    const session = await find(sessionId);
    const member = members.get(socket.id)?.get(sessionId);
    if (!member) throw new UserFacingError(`Join session ${sessionId} before acting on it.`);
    return { session, member };
  };

  const leave = (socket: PlaygroundSocket, sessionId: string): void => {
    const mine = members.get(socket.id);
    const member = mine?.get(sessionId);
    if (!mine || !member) return;
    mine.delete(sessionId);
    void socket.leave(sessionChannel(sessionId));
    void socket.leave(member.shard);
    registry.peek(sessionId)?.presence.leave(member.viewerId, socket.id);
    presence?.left(sessionId, member.viewerId, socket.id);
  };

  const onConnection = (socket: PlaygroundSocket): void => {
    onRequest(socket, 'sessions:watch', async () => {
      await registry.ready();
      await socket.join(LOBBY_CHANNEL);
      await moderation.ready();
      return { sessions: registry.list().map((s) => shown.summary(s)) };
    });

    onRequest(socket, 'sessions:unwatch', async () => {
      await socket.leave(LOBBY_CHANNEL);
      return {};
    });

    onRequest(socket, 'session:create', async ({ config }) => {
      const host = hostIdentityOf(socket);
      await limits.take('sessionCreate', actorOf(socket));
      const session = await registry.create(config, host);
      return { sessionId: session.id };
    });

    onRequest(socket, 'session:join', async ({ sessionId, since }) => {
      const session = await find(sessionId);
      await moderation.ready();
      // Gone while the session loaded: its disconnect cleanup has run, so nothing would remove it.
      if (socket.disconnected) throw new UserFacingError('Disconnected while joining.');
      const mine = membershipsOf(socket);
      if (!mine.has(sessionId) && mine.size >= MAX_SESSIONS_PER_CONNECTION) {
        throw new UserFacingError(
          `One page may watch at most ${MAX_SESSIONS_PER_CONNECTION} sessions at once; leave one first.`,
        );
      }
      const { identity, nickname } = identityOf(socket);
      const viewer = session.viewerFor(identity, nickname);
      const before = mine.get(sessionId);
      if (before && before.viewerId !== viewer.id) {
        session.presence.leave(before.viewerId, socket.id);
        presence?.left(sessionId, before.viewerId, socket.id);
      }
      const shard = before?.shard ?? broadcaster(session).nextShard();
      mine.set(sessionId, { identity, nickname, viewerId: viewer.id, viewer, shard });
      // From here to the reply nothing awaits: every event numbered after the snapshot is sent
      // after the socket entered the rooms, so snapshot plus live events have no gap (an event
      // still queued for sending may arrive twice; clients drop seqs they have).
      void socket.join([sessionChannel(sessionId), shard]);
      session.presence.join(viewer, socket.id);
      presence?.joined(sessionId, viewer, socket.id);
      const after = since !== null && since <= session.log.lastSeq ? since : null; // a newer seq: another history
      return {
        session: shown.detail(session.detail()),
        you: { viewerId: viewer.id, host: viewer.host },
        events: session.log.since(after).map((e) => shown.event(e)),
        lastSeq: session.log.lastSeq,
      };
    });

    onRequest(socket, 'session:leave', ({ sessionId }) => {
      leave(socket, sessionId);
      return {};
    });

    onRequest(socket, 'session:control', async ({ sessionId, action }) => {
      await limit(controls, socket, `At most ${CONTROLS_PER_SECOND} commands a second; wait a moment.`);
      const { session, member } = await joined(socket, sessionId);
      return { state: await registry.control(session, action, member.identity, member.nickname) };
    });

    onRequest(socket, 'session:lr', async ({ sessionId, lr }) => {
      await limit(controls, socket, `At most ${CONTROLS_PER_SECOND} commands a second; wait a moment.`);
      const { session, member } = await joined(socket, sessionId);
      return { lr: await registry.setLearningRate(session, lr, member.identity, member.nickname) };
    });

    socket.on('disconnect', () => {
      for (const sessionId of [...(members.get(socket.id)?.keys() ?? [])]) leave(socket, sessionId);
      members.delete(socket.id);
      void controls.delete(socket.id);
    });
  };

  // A moderator hid a nickname or showed it again: the sessions here that show it (as host or
  // viewer) send their summary (lobby and session page) and those viewers again, to this node's
  // connections (every node does the same for its own).
  const onModeration = (change: ModerationChange) => {
    if (change.kind !== 'nickname') return;
    for (const summary of registry.list()) {
      const session = registry.peek(summary.id);
      if (!session) continue;
      if (Moderation.concerns(change, session.hostNickname))
        io.local
          .to([LOBBY_CHANNEL, sessionChannel(session.id)])
          .emit('sessions:summary', shown.summary(session.summary()));
      session.presence.announceAgain((viewer) => Moderation.concerns(change, viewer.nickname));
    }
  };
  moderation.on('changed', onModeration);

  io.on('connection', onConnection);
  const detachVoting = voting ? attachSessionVoting(io, registry, voting, limits) : () => undefined;
  return {
    registry,
    async detach() {
      io.off('connection', onConnection);
      moderation.off('changed', onModeration);
      detachVoting();
      lobby.close();
      await registry.close();
      await presence?.close();
      await cluster?.close();
    },
  };
}

/** Lobby summaries: state changes at once, mere progress at most once a second per session. */
class LobbyFeed {
  private readonly lastSent = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly io: PlaygroundServer,
    private readonly shown: ShownSessions,
  ) {}

  update(session: TrainingSession, urgent: boolean): void {
    const wait = LOBBY_PROGRESS_MS - (Date.now() - (this.lastSent.get(session.id) ?? 0));
    if (urgent || wait <= 0) {
      this.send(session);
      return;
    }
    if (!this.timers.has(session.id))
      this.timers.set(
        session.id,
        setTimeout(() => this.send(session), wait),
      );
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private send(session: TrainingSession): void {
    clearTimeout(this.timers.get(session.id));
    this.timers.delete(session.id);
    this.lastSent.set(session.id, Date.now());
    this.io.local.to(LOBBY_CHANNEL).emit('sessions:summary', this.shown.summary(session.summary()));
  }
}

/** Sessions as others see them: nicknames a moderator hid (hosts, viewers, who did what) shown as such. */
class ShownSessions {
  constructor(private readonly moderation: Moderation) {}

  viewer(v: SessionViewer): SessionViewer {
    return { ...v, nickname: this.moderation.nickname(v.nickname) };
  }

  summary<S extends SessionSummary>(s: S): S {
    return { ...s, hostNickname: this.moderation.nickname(s.hostNickname) };
  }

  detail(d: SessionDetail): SessionDetail {
    return { ...this.summary(d), viewerList: d.viewerList.map((v) => this.viewer(v)) };
  }

  event(e: SessionEvent): SessionEvent {
    return 'by' in e && e.by !== null ? { ...e, by: this.moderation.nickname(e.by) } : e;
  }
}
