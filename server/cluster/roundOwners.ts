/**
 * Which web node runs each voting room's open round (several machines). A round lives in the
 * memory of the node that opened it (its candidates, live tallies, serial vote chain, timer); that
 * node owns the room in Redis (`<prefix>vote:owner:<room>` → node id) while the round is open, and
 * renews the key so that it expires within TTL_MS once the node is gone. The other nodes send the
 * room's requests to the owner (realtime/voting/forwarding.ts). Drawing rooms are owned the same
 * way, under their own prefix, while anyone is in them (realtime/draw/forwarding.ts), and so are
 * the sessions a node trains in its own threads (TRAINERS=local: `<prefix>sessions:runner:<id>`,
 * server/cluster/sessions.ts), which the other nodes fail when the key has gone.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from './redis';

/** An owner key lives this long without renewal; a dead node's rooms are free again after it. */
export const OWNER_TTL_MS = 15_000;

/** How long the mark that a room's key was ever taken is kept (RoundOwners' `takenPrefix`). */
export const TAKEN_MARK_MS = 7 * 24 * 3600_000;

// Take the key when it is free or already ours (renewal is the same step).
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

// Delete the key only when it still names the given node (never a newer owner's).
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RoundOwners {
  /** This node, as the owner keys name it. */
  readonly node = randomBytes(6).toString('hex');
  private readonly owned = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. `fmp:vote:owner:`. */
    private readonly prefix: string,
    /** The feature, as its log lines start (`[voting] ...`). */
    private readonly feature = 'voting',
    /** How long a key lives without renewal (renewed every third of it). */
    readonly ttlMs = OWNER_TTL_MS,
    /**
     * Where to mark, for TAKEN_MARK_MS, that a room's key was taken (`<takenPrefix><room>`): a node
     * started after the owner died can then tell a key that is gone from one that never was.
     */
    private readonly takenPrefix?: string,
  ) {
    this.timer = setInterval(() => void this.renew(), ttlMs / 3);
    this.timer.unref();
  }

  /** Takes `room` for this node; false when another node owns it. */
  async claim(room: string): Promise<boolean> {
    const taken = await this.take(room);
    if (taken) {
      this.owned.add(room);
      // Best effort: without the mark only a node started after a whole-cluster stop misses this key.
      if (this.takenPrefix)
        await this.redis.set(`${this.takenPrefix}${room}`, this.node, 'PX', TAKEN_MARK_MS).catch(() => undefined);
    }
    return taken;
  }

  /** Whether some node took `room`'s key within TAKEN_MARK_MS (false without a `takenPrefix`). */
  async wasTaken(room: string): Promise<boolean> {
    if (!this.takenPrefix) return false;
    return (await this.redis.exists(`${this.takenPrefix}${room}`)) === 1;
  }

  /** The node that owns `room`, or null when none does. */
  ownerOf(room: string): Promise<string | null> {
    return this.redis.get(this.key(room));
  }

  /** Frees `room` (its round closed here, or it never opened). */
  async release(room: string): Promise<void> {
    this.owned.delete(room);
    await this.redis.eval(RELEASE, 1, this.key(room), this.node);
    // A key given back was not lost: its mark goes too (if it still names this node), so a session
    // that trains on without a key (another node's run won) is not failed for it.
    if (this.takenPrefix) await this.redis.eval(RELEASE, 1, `${this.takenPrefix}${room}`, this.node);
  }

  /** Clears the key of an owner that no longer answers, unless another node has taken the room since. */
  async forget(room: string, node: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(room), node);
  }

  /** Stops renewing and frees this node's rooms (their rounds stay open in the database). */
  async dispose(): Promise<void> {
    clearInterval(this.timer);
    const rooms = [...this.owned];
    await Promise.all(rooms.map((r) => this.release(r))).catch(() => undefined);
  }

  private async take(room: string): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, this.key(room), this.node, this.ttlMs)) === 1;
  }

  // One connection keeps commands in order: a release sent after this renewal deletes the key after it.
  private async renew(): Promise<void> {
    for (const room of this.owned) {
      try {
        if (!(await this.take(room)))
          console.error(`[${this.feature}] another node took ${room} while it is held here`);
      } catch (err) {
        console.error(`[${this.feature}] renewing this node's key for ${room} failed: ${(err as Error).message}`);
      }
    }
  }

  private key(room: string): string {
    return `${this.prefix}${room}`;
  }
}
