/**
 * The voting rooms: at most one open round per room. Starting a round generates its candidates
 * (fresh, or bred from the room's last winners) in the generator worker and stores them; votes are
 * checked (open round, known candidate, rate limit) and applied through the round's serial chain;
 * a round closes on its timer or by its host, and its winners enter the gallery. Open rounds are
 * reloaded from the database at start, so a restart loses no vote. With several web nodes, a
 * round lives on the node that opened it, which owns its room (cluster/roundOwners.ts) until it
 * closes; the others forward the room's requests there (forwarding.ts). A round whose node is gone
 * is taken over by the next node that gets a request for its room (adopt).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { UserFacingError } from '../../errors';
import type { Db } from '../../db';
import { registerModelVersion } from '../../db/repositories/modelVersions';
import {
  castVote,
  closeRound,
  createRound,
  latestRound,
  openRounds,
  roundVotes,
  type StoredRound,
} from '../../db/repositories/votes';
import type { RoundOwners } from '../../cluster/roundOwners';
import type { GuestIdentity } from '../../identity';
import { pngDataUrl } from '../../ml/image';
import type { VoteRoundState, VoteTally } from '../../../lib/protocol';
import type { CandidateGenerator } from './generator';
import { VoteRound } from './round';

export interface VotingSettings {
  candidates: number;
  bestOf: number;
  winners: number;
  /** Votes per person per second (every vote, changed or not, counts). */
  votesPerSecond: number;
}

/** A close that failed (the database, say) is tried again this long after, or at the deadline if later. */
export const CLOSE_RETRY_MS = 3000;

export const DEFAULT_VOTING: VotingSettings = { candidates: 12, bestOf: 16, winners: 3, votesPerSecond: 10 };

/** Where a session round's candidates come from: the session's epoch snapshot (a VAE folder). */
export interface SessionSource {
  sessionId: string;
  /** Epochs done when the snapshot was written (1 = after the first). */
  epoch: number;
  vaeDir: string;
  /** The session's registered model, once it has one. */
  modelVersionId: number | null;
}

export interface RoomEvents {
  round(state: VoteRoundState): void;
  tally(room: string, roundId: number, tallies: VoteTally[]): void;
}

/** The id others see for a person: stable, but not the guest id (which is half of a cookie). */
export const publicIdOf = (guestId: string): string =>
  createHash('sha256').update(`guest\0${guestId}`).digest('base64url').slice(0, 12);

/** How soon the open rounds are read again when the database was down at start. */
export const RESTORE_RETRY_MS = 30_000;

// Redis down: the owner key expires by itself (OWNER_TTL_MS).
const logLostRelease = (err: unknown) =>
  console.error(`[voting] freeing a room in Redis failed: ${(err as Error).message}`);

export class VotingRooms {
  private readonly open = new Map<string, VoteRound>();
  private readonly starting = new Set<string>();
  private readonly adopting = new Map<string, Promise<boolean>>();
  private restoreRetry: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly limiter: RateLimiterMemory;
  private modelVersion: Promise<number | null> | null = null;

  constructor(
    private readonly getDb: () => Promise<Db>,
    private readonly generator: CandidateGenerator,
    private readonly events: RoomEvents,
    readonly settings: VotingSettings = DEFAULT_VOTING,
    /** Several machines: who owns which room; null in one process (every room is this one's). */
    readonly owners: RoundOwners | null = null,
  ) {
    this.limiter = new RateLimiterMemory({ points: settings.votesPerSecond, duration: 1 });
  }

  /** Reloads the open rounds with their votes and restarts their timers (those no other node runs). */
  async restore(): Promise<number> {
    for (const stored of await openRounds(await this.getDb())) {
      // Reloaded by an earlier try, or a round being opened there now (which closes this one first).
      if (this.open.has(stored.room) || this.starting.has(stored.room)) continue;
      if (this.owners && !(await this.owners.claim(stored.room))) continue;
      await this.hold(stored);
    }
    return this.open.size;
  }

  /**
   * restore(), tried again every `retryMs` until it succeeds: with the database down at start, the
   * open rounds would otherwise stay open with no timer (in one process nothing adopts them; with
   * several machines a request to the room would). Resolves after the first try.
   */
  async restoreRetrying(retryMs = RESTORE_RETRY_MS): Promise<void> {
    try {
      await this.restore();
    } catch (err) {
      if (this.disposed) return;
      console.error(
        `[voting] could not reload the open rounds (trying again in ${retryMs / 1000} s): ${(err as Error).message}`,
      );
      this.restoreRetry = setTimeout(() => void this.restoreRetrying(retryMs), retryMs);
      this.restoreRetry.unref();
    }
  }

  /**
   * Several machines: takes over the room's open round when no node owns the room any more (the
   * node that held it is gone and its key expired), so that its timer runs again, here. A round
   * already past its time closes now. Returns whether the room's round is now this node's; false
   * when it has no open round, or another node took it first.
   */
  adopt(room: string): Promise<boolean> {
    if (!this.owners || this.open.has(room) || this.starting.has(room)) return Promise.resolve(this.open.has(room));
    let adopting = this.adopting.get(room);
    if (!adopting) {
      adopting = this.takeOver(room, this.owners).finally(() => this.adopting.delete(room));
      this.adopting.set(room, adopting);
    }
    return adopting;
  }

  private async takeOver(room: string, owners: RoundOwners): Promise<boolean> {
    const db = await this.getDb();
    if ((await latestRound(db, room))?.state !== 'open' || !(await owners.claim(room))) return false;
    // Read again once the room is ours: its old node or another adopter may have closed it meanwhile.
    const orphan = await latestRound(db, room);
    if (orphan?.state !== 'open') {
      await owners.release(room).catch(logLostRelease);
      return false;
    }
    const round = await this.hold(orphan);
    if (round.isPastDeadline())
      // Its timer is cancelled before it fires (close's first step runs before any timer can).
      await this.close(round.id, null).catch((e: unknown) => console.error('[voting] closing on time failed:', e));
    return true;
  }

  /** Serves a stored open round here, with its votes, until it closes on time or by its host. */
  private async hold(stored: StoredRound): Promise<VoteRound> {
    const round = new VoteRound(stored, await roundVotes(await this.getDb(), stored.id));
    this.open.set(stored.room, round);
    this.scheduleClose(round);
    return round;
  }

  /** Closes `round` when its time is up, not before `notBeforeMs` from now. */
  private scheduleClose(round: VoteRound, notBeforeMs = 0): void {
    round.schedule(
      () => void this.close(round.id, null).catch((e: unknown) => console.error('[voting] closing on time failed:', e)),
      notBeforeMs,
    );
  }

  openRound(room: string): VoteRound | null {
    return this.open.get(room) ?? null;
  }

  /** The id of the room's open round, held here or (several machines) by another node. */
  async openRoundId(room: string): Promise<number | null> {
    const here = this.openRound(room);
    if (here) return here.id;
    const latest = await latestRound(await this.getDb(), room);
    return latest?.state === 'open' ? latest.id : null;
  }

  /** The open round `roundId`, when it runs here. */
  heldRound(roundId: number): VoteRound | null {
    return [...this.open.values()].find((r) => r.id === roundId) ?? null;
  }

  async state(room: string): Promise<VoteRoundState | null> {
    const round = this.open.get(room);
    if (round) return this.describe(round.stored, () => round.tallies());
    const last = await latestRound(await this.getDb(), room);
    if (!last) return null;
    const tallies = await this.talliesOf(last);
    return this.describe(last, () => tallies);
  }

  /**
   * Rooms whose rounds only their owner opens (live sessions' rooms, checked by the sessions
   * feature); `vote:start` refuses them. Default: none.
   */
  reservedRoom: (room: string) => Promise<string | null> = async () => null;

  /** A host's nickname as others see it (a moderator may have hidden it); default as it is. */
  shownNickname: (nickname: string) => string = (name) => name;

  /**
   * Opens a round in `room`, hosted by `host`. Without `source` from the served VAE; with it from a
   * live session's snapshot (the caller has checked that `host` hosts the session).
   * `using`: a picked VAE version's generator (default: the served folder's). Winners of a round
   * made by another version are not bred from (their latents belong to that decoder).
   */
  async start(
    room: string,
    host: GuestIdentity,
    options: {
      label: number | null;
      durationSeconds: number;
      breed: boolean;
      using?: { generator: CandidateGenerator; modelVersionId: number };
    },
    source?: SessionSource,
  ): Promise<VoteRoundState> {
    const alreadyOpen = () =>
      new UserFacingError(
        source
          ? 'A voting round is already open in this session; close it before opening another.'
          : 'A round is already open in this room; vote in it, or wait until it closes.',
      );
    if (this.open.has(room) || this.starting.has(room)) throw alreadyOpen();
    // Taken before any await, so two requests at once cannot both start a round here.
    this.starting.add(room);
    let opened = false;
    try {
      // And in Redis, so that two nodes cannot both start one.
      if (this.owners && !(await this.owners.claim(room))) throw alreadyOpen();
      if (!source) {
        const reserved = await this.reservedRoom(room);
        if (reserved) throw new UserFacingError(reserved);
      }
      const db = await this.getDb();
      // A round left open by a node that is gone (several machines), or that a restart could not
      // reload (the database was down then), closes now, with the votes it had.
      for (const orphan of (await openRounds(db)).filter((r) => r.room === room))
        await this.close((await this.hold(orphan)).id, null);
      const last = await latestRound(db, room);
      const generator = options.using?.generator ?? this.generator;
      const modelVersionId = source
        ? source.modelVersionId
        : options.using
          ? options.using.modelVersionId
          : await this.modelVersionId(db);
      const sameModel = !last || last.modelVersionId === modelVersionId;
      const winners =
        options.breed && last && sameModel
          ? await db.galleryItem.findMany({
              where: { candidate: { roundId: last.id } },
              select: { candidateId: true, label: true, latent: true },
            })
          : [];
      const parents = winners.filter((w) => options.label === null || w.label === options.label);
      const seed = Math.floor(Math.random() * 2 ** 31);
      const { candidates, bestOf } = this.settings;
      const generated = await generator.generate(
        parents.length > 0
          ? {
              kind: 'bred',
              parents: parents.map((p) => ({ candidateId: p.candidateId, label: p.label, latent: p.latent })),
              count: candidates,
              bestOf,
              seed,
              vaeDir: source?.vaeDir,
            }
          : { kind: 'fresh', label: options.label, count: candidates, bestOf, seed, vaeDir: source?.vaeDir },
      );
      const stored = await createRound(db, {
        room,
        label: options.label,
        hostId: host.id,
        modelVersionId,
        sessionId: source?.sessionId ?? null,
        sessionEpoch: source?.epoch ?? null,
        parentRoundId: parents.length > 0 ? last!.id : null,
        seed,
        closesAt: new Date(Date.now() + options.durationSeconds * 1000),
        candidates: generated.map((g) => ({
          label: g.label,
          latent: g.latent,
          confidence: g.confidence,
          image: g.png,
          origin: g.origin,
          parentIds: g.parentIds,
        })),
      });
      const round = new VoteRound(stored);
      this.open.set(room, round);
      opened = true;
      this.scheduleClose(round);
      const state = await this.describe(stored, () => round.tallies());
      this.events.round(state);
      return state;
    } finally {
      this.starting.delete(room);
      if (this.owners && !opened && !this.open.has(room)) await this.owners.release(room).catch(logLostRelease);
    }
  }

  async cast(guest: GuestIdentity, roundId: number, candidateId: number, value: -1 | 0 | 1): Promise<VoteTally> {
    const round = this.heldRound(roundId);
    if (!round || round.closing || round.isPastDeadline()) {
      const exists =
        round ?? (await (await this.getDb()).voteRound.findUnique({ where: { id: roundId }, select: { id: true } }));
      throw new UserFacingError(
        exists
          ? `Round ${roundId} is closed; vote in the current round.`
          : `There is no round ${roundId}; reload the page.`,
      );
    }
    if (!round.hasCandidate(candidateId))
      throw new UserFacingError(
        `Candidate ${candidateId} is not in round ${roundId}; vote on one shown in this round.`,
      );
    try {
      await this.limiter.consume(guest.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new UserFacingError(
        `Too many votes: at most ${this.settings.votesPerSecond} per second; wait ${Math.max(0.1, Math.ceil(err.msBeforeNext / 100) / 10)} s.`,
      );
    }
    return round.serially(async () => {
      if (round.closing) throw new UserFacingError(`Round ${roundId} closed before your vote arrived.`);
      await castVote(await this.getDb(), candidateId, guest.id, value);
      round.apply(candidateId, guest.id, value);
      const tally = round.tally(candidateId);
      this.events.tally(round.stored.room, round.id, [tally]);
      return tally;
    });
  }

  /** Closes a round (by its host, or by the timer when `by` is null). */
  async close(roundId: number, by: GuestIdentity | null): Promise<VoteRoundState> {
    const round = this.heldRound(roundId);
    if (!round) {
      const exists = await (await this.getDb()).voteRound.findUnique({ where: { id: roundId }, select: { id: true } });
      throw new UserFacingError(
        exists ? `Round ${roundId} is already closed.` : `There is no round ${roundId}; reload the page.`,
      );
    }
    if (by && by.id !== round.stored.hostId) {
      throw new UserFacingError(
        `Only the host (${this.shownNickname(round.stored.host.nickname)}) can close this round early; it closes by itself when its time is up.`,
      );
    }
    round.cancelTimer();
    return round.serially(async () => {
      round.closing = true;
      const db = await this.getDb();
      try {
        await closeRound(db, round.id, round.winners(this.settings.winners));
      } catch (err) {
        round.closing = false;
        // The timer was cancelled above: without a new one the round would stay open past its time.
        if (this.open.get(round.stored.room) === round) this.scheduleClose(round, CLOSE_RETRY_MS);
        throw err;
      }
      const { room } = round.stored;
      if (this.open.get(room) === round) this.open.delete(room);
      if (this.owners && !this.open.has(room) && !this.starting.has(room))
        await this.owners.release(room).catch(logLostRelease);
      const stored = await db.voteRound.findUniqueOrThrow({
        where: { id: round.id },
        include: { candidates: { orderBy: { position: 'asc' } }, host: { select: { id: true, nickname: true } } },
      });
      const state = await this.describe(stored, () => round.tallies());
      this.events.round(state);
      return state;
    });
  }

  /** Stops the timers; with several nodes, frees this node's rooms (their rounds stay open in the database). */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restoreRetry);
    for (const r of this.open.values()) r.cancelTimer();
    this.open.clear();
    await this.owners?.dispose();
  }

  private async talliesOf(stored: StoredRound): Promise<VoteTally[]> {
    return new VoteRound(stored, await roundVotes(await this.getDb(), stored.id)).tallies();
  }

  /**
   * The round as clients see it. `tallies` is read after the queries, as the state is sent: votes
   * pushed meanwhile are in it, so this state never takes a client back to older counts.
   */
  private async describe(stored: StoredRound, tallies: () => VoteTally[]): Promise<VoteRoundState> {
    const db = await this.getDb();
    const parentIds = [...new Set(stored.candidates.flatMap((c) => c.parentIds))];
    const [parents, winners] = await Promise.all([
      parentIds.length
        ? db.candidate.findMany({
            where: { id: { in: parentIds } },
            select: { id: true, label: true, image: true, round: { select: { number: true } } },
          })
        : [],
      stored.state === 'closed'
        ? db.galleryItem.findMany({
            where: { candidate: { roundId: stored.id } },
            select: { id: true, candidateId: true },
            orderBy: { score: 'desc' },
          })
        : [],
    ]);
    return {
      id: stored.id,
      room: stored.room,
      number: stored.number,
      label: stored.label,
      state: stored.state === 'closed' ? 'closed' : 'open',
      hostNickname: this.shownNickname(stored.host.nickname),
      hostPublicId: publicIdOf(stored.hostId),
      closesAt: stored.closesAt.toISOString(),
      closedAt: stored.closedAt?.toISOString() ?? null,
      modelVersionId: stored.modelVersionId,
      parentRoundId: stored.parentRoundId,
      candidates: stored.candidates.map((c) => ({
        id: c.id,
        position: c.position,
        label: c.label,
        confidence: c.confidence,
        image: pngDataUrl(c.image),
        origin: c.origin as 'fresh' | 'mutation' | 'crossover',
        parentIds: c.parentIds,
      })),
      tallies: tallies(),
      parents: parents.map((p) => ({
        id: p.id,
        label: p.label,
        image: pngDataUrl(p.image),
        roundNumber: p.round.number,
      })),
      winners: winners.map((w) => ({ candidateId: w.candidateId, galleryItemId: w.id })),
      session:
        stored.sessionId && stored.sessionEpoch !== null ? { id: stored.sessionId, epoch: stored.sessionEpoch } : null,
    };
  }

  /** The VAE folder as a model version (the same row its assessments are stored against). */
  private modelVersionId(db: Db): Promise<number | null> {
    this.modelVersion ??= (async () => {
      const dir = this.generator.vaeDir;
      const log = await readFile(path.join(dir, 'training-log.json'), 'utf8').catch(() => null);
      if (!log) return null;
      const version = await registerModelVersion(db, {
        kind: 'vae',
        name: path.basename(path.resolve(dir)),
        path: dir,
        params: this.generator.params,
        trainingLog: JSON.parse(log),
      });
      return version.id;
    })().catch((err: unknown) => {
      console.error('[voting] registering the VAE model version failed:', err);
      this.modelVersion = null;
      return null;
    });
    return this.modelVersion;
  }
}
