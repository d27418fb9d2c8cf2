/**
 * Who watches a session, across web nodes (several machines). Each node keeps the session's
 * Presence (lib/sessions/presence.ts) for every viewer of every node: its own sockets join and
 * leave it directly, and each node announces its joins and leaves on a Redis channel, where the
 * other nodes apply them with the connection named by node (`<node>/<socket>`). Announcements
 * can be missed (a node that starts late, a Redis blip), and a node that dies announces nothing;
 * so every node also publishes its whole list every few seconds, which replaces what the others
 * hold of it, and a node silent for three periods is taken for dead: its viewers leave.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SessionViewer } from '../../lib/protocol';
import type { TrainingSession } from '../realtime/sessions/session';

const SYNC_MS = 5000;
const DEAD_AFTER_MS = 3 * SYNC_MS;

const ViewerSchema = z.object({ id: z.string(), nickname: z.string(), host: z.boolean() });
const MessageSchema = z.union([
  z.object({
    node: z.string(),
    op: z.literal('join'),
    sessionId: z.string(),
    conn: z.string(),
    viewer: ViewerSchema,
  }),
  z.object({ node: z.string(), op: z.literal('leave'), sessionId: z.string(), conn: z.string(), viewerId: z.string() }),
  z.object({
    node: z.string(),
    op: z.literal('sync'),
    /** sessionId -> [socket id, viewer] of every viewer on the node. */
    sessions: z.record(z.string(), z.array(z.tuple([z.string(), ViewerSchema]))),
  }),
  z.object({ node: z.string(), op: z.literal('gone') }),
]);
type Message = z.infer<typeof MessageSchema>;

/** What other nodes hold of one node: per session, its connections and their viewer. */
interface RemoteNode {
  seen: number;
  sessions: Map<string, Map<string, SessionViewer>>;
}

export class SharedPresence {
  readonly node = randomBytes(6).toString('hex');
  private readonly channel: string;
  private readonly remote = new Map<string, RemoteNode>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    /** The session held here, if any (a node that does not hold it ignores its presence). */
    private readonly sessionOf: (id: string) => TrainingSession | undefined,
    /** This node's viewers, per session: [socket id, viewer]. */
    private readonly localViewers: () => Map<string, [string, SessionViewer][]>,
  ) {
    this.channel = `${prefix}presence`;
    void subscriber.subscribe(this.channel).catch(() => undefined);
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      try {
        this.apply(MessageSchema.parse(JSON.parse(text)));
      } catch (err) {
        console.error('[presence] a message from another node could not be read:', (err as Error).message);
      }
    });
    this.timer = setInterval(() => this.sync(), SYNC_MS);
    this.timer.unref();
    this.sync();
  }

  joined(sessionId: string, viewer: SessionViewer, socketId: string): void {
    this.publish({ node: this.node, op: 'join', sessionId, conn: socketId, viewer });
  }

  left(sessionId: string, viewerId: string, socketId: string): void {
    this.publish({ node: this.node, op: 'leave', sessionId, conn: socketId, viewerId });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    // The others drop this node's viewers at once rather than after DEAD_AFTER_MS.
    await this.redis.publish(this.channel, JSON.stringify({ node: this.node, op: 'gone' })).catch(() => undefined);
    this.subscriber.disconnect();
  }

  private publish(message: Message): void {
    if (this.closed) return;
    void this.redis.publish(this.channel, JSON.stringify(message)).catch(() => undefined);
  }

  private sync(): void {
    const sessions: Record<string, [string, SessionViewer][]> = {};
    for (const [id, list] of this.localViewers()) sessions[id] = list;
    this.publish({ node: this.node, op: 'sync', sessions });
    const now = Date.now();
    for (const [node, held] of this.remote) if (now - held.seen > DEAD_AFTER_MS) this.forget(node);
  }

  /** A node gone or silent: its viewers leave. */
  private forget(node: string): void {
    if (!this.remote.has(node)) return;
    this.replace(node, new Map());
    this.remote.delete(node);
  }

  private apply(m: Message): void {
    if (m.node === this.node) return;
    if (m.op === 'gone') {
      this.forget(m.node);
      return;
    }
    if (m.op === 'sync') {
      const next = new Map<string, Map<string, SessionViewer>>();
      for (const [id, list] of Object.entries(m.sessions)) next.set(id, new Map(list));
      this.held(m.node); // heard from
      this.replace(m.node, next);
      return;
    }
    const held = this.held(m.node);
    const conns = held.sessions.get(m.sessionId) ?? new Map<string, SessionViewer>();
    held.sessions.set(m.sessionId, conns);
    const presence = this.sessionOf(m.sessionId)?.presence;
    if (m.op === 'join') {
      conns.set(m.conn, m.viewer);
      presence?.join(m.viewer, `${m.node}/${m.conn}`);
    } else {
      conns.delete(m.conn);
      presence?.leave(m.viewerId, `${m.node}/${m.conn}`);
    }
  }

  /** Makes what this node holds of `node` equal to `next` (joins and leaves only the difference). */
  private replace(node: string, next: Map<string, Map<string, SessionViewer>>): void {
    const held = this.remote.get(node) ?? this.held(node);
    for (const [sessionId, conns] of held.sessions) {
      const presence = this.sessionOf(sessionId)?.presence;
      for (const [conn, viewer] of conns)
        if (!next.get(sessionId)?.has(conn)) presence?.leave(viewer.id, `${node}/${conn}`);
    }
    for (const [sessionId, conns] of next) {
      const presence = this.sessionOf(sessionId)?.presence;
      for (const [conn, viewer] of conns) presence?.join(viewer, `${node}/${conn}`);
    }
    held.sessions = next;
  }

  /** What this node holds of `node`, marked as heard from now. */
  private held(node: string): RemoteNode {
    let held = this.remote.get(node);
    if (!held) this.remote.set(node, (held = { seen: Date.now(), sessions: new Map() }));
    held.seen = Date.now();
    return held;
  }
}
