/**
 * Voting rounds, their candidates and votes. One vote per guest per candidate is the database's
 * rule (unique constraint); casting again replaces the value, 0 withdraws it. Closing a round is
 * one transaction that marks it closed (once) and copies its winners into the gallery.
 */
import type { Db } from '../client';
import type { Prisma } from '../generated/client';

/** A 28x28 PNG is well under 2 KB; anything near this is not one of ours. */
export const MAX_IMAGE_BYTES = 16 * 1024;

export type VoteValue = -1 | 0 | 1;

export interface CandidateInput {
  label: number;
  latent: number[];
  confidence: number;
  /** PNG bytes, at most MAX_IMAGE_BYTES. */
  image: Uint8Array;
  origin: 'fresh' | 'mutation' | 'crossover';
  parentIds: number[];
}

export interface RoundInput {
  room: string;
  label: number | null;
  hostId: string;
  modelVersionId: number | null;
  parentRoundId: number | null;
  seed: number;
  closesAt: Date;
  candidates: CandidateInput[];
  /** A round of a live training session, and the epoch whose weights made its candidates. */
  sessionId?: string | null;
  sessionEpoch?: number | null;
}

export function checkImageSize(image: Uint8Array): void {
  if (image.byteLength > MAX_IMAGE_BYTES) {
    throw new RangeError(`an image of ${image.byteLength} bytes is over the ${MAX_IMAGE_BYTES}-byte limit`);
  }
}

const roundInclude = {
  candidates: { orderBy: { position: 'asc' } },
  host: { select: { id: true, nickname: true } },
} as const satisfies Prisma.VoteRoundInclude;

export type StoredRound = Prisma.VoteRoundGetPayload<{ include: typeof roundInclude }>;

/** Creates the room's next round (numbered after its last) with its candidates. */
export async function createRound(db: Db, input: RoundInput): Promise<StoredRound> {
  for (const c of input.candidates) checkImageSize(c.image);
  return db.$transaction(async (tx) => {
    const last = await tx.voteRound.findFirst({
      where: { room: input.room },
      orderBy: { number: 'desc' },
      select: { number: true },
    });
    return tx.voteRound.create({
      data: {
        room: input.room,
        number: (last?.number ?? 0) + 1,
        label: input.label,
        hostId: input.hostId,
        modelVersionId: input.modelVersionId,
        parentRoundId: input.parentRoundId,
        seed: input.seed,
        closesAt: input.closesAt,
        sessionId: input.sessionId ?? null,
        sessionEpoch: input.sessionEpoch ?? null,
        candidates: {
          create: input.candidates.map((c, position) => ({ ...c, position, image: new Uint8Array(c.image) })),
        },
      },
      include: roundInclude,
    });
  });
}

/** Rounds still open (after a restart: to resume their timers and tallies). */
export function openRounds(db: Db): Promise<StoredRound[]> {
  return db.voteRound.findMany({ where: { state: 'open' }, include: roundInclude, orderBy: { id: 'asc' } });
}

/** The newest round of a room, open or closed. */
export function latestRound(db: Db, room: string): Promise<StoredRound | null> {
  return db.voteRound.findFirst({ where: { room }, orderBy: { number: 'desc' }, include: roundInclude });
}

/** Sets (1 or -1) or withdraws (0) a guest's vote on a candidate. */
export async function castVote(db: Db, candidateId: number, guestId: string, value: VoteValue): Promise<void> {
  if (value === 0) {
    await db.vote.deleteMany({ where: { candidateId, guestId } });
    return;
  }
  await db.vote.upsert({
    where: { candidateId_guestId: { candidateId, guestId } },
    create: { candidateId, guestId, value },
    update: { value },
  });
}

export interface Tally {
  candidateId: number;
  up: number;
  down: number;
}

/** Up and down votes of every candidate of a round, counted by the database. */
export async function roundTallies(db: Db, roundId: number): Promise<Tally[]> {
  const candidates = await db.candidate.findMany({
    where: { roundId },
    select: { id: true },
    orderBy: { position: 'asc' },
  });
  const groups = await db.vote.groupBy({
    by: ['candidateId', 'value'],
    where: { candidate: { roundId } },
    _count: { _all: true },
  });
  return candidates.map(({ id }) => ({
    candidateId: id,
    up: groups.find((g) => g.candidateId === id && g.value === 1)?._count._all ?? 0,
    down: groups.find((g) => g.candidateId === id && g.value === -1)?._count._all ?? 0,
  }));
}

/** Every vote of a round: candidate id -> guest id -> value. */
export async function roundVotes(db: Db, roundId: number): Promise<Map<number, Map<string, 1 | -1>>> {
  const rows = await db.vote.findMany({
    where: { candidate: { roundId } },
    select: { candidateId: true, guestId: true, value: true },
  });
  const out = new Map<number, Map<string, 1 | -1>>();
  for (const r of rows) {
    let m = out.get(r.candidateId);
    if (!m) out.set(r.candidateId, (m = new Map()));
    m.set(r.guestId, r.value === 1 ? 1 : -1);
  }
  return out;
}

/**
 * Closes an open round and puts `winners` (with their tallies) into the gallery. Returns false
 * when the round was already closed (by the timer and the host at once, or another process).
 */
export async function closeRound(db: Db, roundId: number, winners: Tally[]): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.voteRound.updateMany({
      where: { id: roundId, state: 'open' },
      data: { state: 'closed', closedAt: new Date() },
    });
    if (count === 0) return false;
    const round = await tx.voteRound.findUniqueOrThrow({
      where: { id: roundId },
      select: { hostId: true, modelVersionId: true },
    });
    for (const w of winners) {
      const c = await tx.candidate.findUniqueOrThrow({ where: { id: w.candidateId } });
      if (c.roundId !== roundId) throw new RangeError(`candidate ${c.id} is not in round ${roundId}`);
      await tx.galleryItem.create({
        data: {
          candidateId: c.id,
          authorId: round.hostId,
          label: c.label,
          latent: c.latent,
          confidence: c.confidence,
          image: new Uint8Array(c.image),
          upVotes: w.up,
          downVotes: w.down,
          score: w.up - w.down,
          modelVersionId: round.modelVersionId,
        },
      });
    }
    return true;
  });
}
