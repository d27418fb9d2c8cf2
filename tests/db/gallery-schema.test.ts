/**
 * The voting tables' rules are the database's, not only the code's: on a fresh PostgreSQL and on
 * PGlite, a second vote of one guest on one candidate, a vote value other than +-1, an oversized
 * image and a duplicate collection entry are all refused by constraints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type OpenDb } from '../../server/db';
import { castVote, checkImageSize, createRound, MAX_IMAGE_BYTES } from '../../server/db/repositories/votes';
import { createFreshPglite, createFreshPostgres } from '../helpers/freshDatabase';

const targets = [
  {
    name: 'PostgreSQL',
    make: async () => {
      const pg = await createFreshPostgres();
      return { target: { kind: 'postgresql' as const, url: pg.url }, cleanup: pg.drop };
    },
  },
  {
    name: 'PGlite',
    make: async () => {
      const p = await createFreshPglite();
      return { target: { kind: 'pglite' as const, dir: p.dir }, cleanup: p.remove };
    },
  },
];

describe.each(targets)('voting schema on $name', ({ make }) => {
  let opened: OpenDb;
  let cleanup: () => Promise<void>;
  let candidateId: number;
  let guestId: string;

  beforeAll(async () => {
    const made = await make();
    cleanup = made.cleanup;
    opened = await openDb(made.target);
    const guest = await opened.db.guest.create({ data: { nickname: 'ann' } });
    guestId = guest.id;
    const round = await createRound(opened.db, {
      room: 'vote',
      label: null,
      hostId: guestId,
      modelVersionId: null,
      parentRoundId: null,
      seed: 1,
      closesAt: new Date(Date.now() + 60_000),
      candidates: [
        {
          label: 3,
          latent: [0.5, -1],
          confidence: 0.9,
          image: new Uint8Array([137, 80, 78, 71]),
          origin: 'fresh',
          parentIds: [],
        },
      ],
    });
    candidateId = round.candidates[0]!.id;
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
    await cleanup?.();
  });

  it('refuses a second vote row for the same guest and candidate', async () => {
    await opened.db.vote.create({ data: { candidateId, guestId, value: 1 } });
    await expect(opened.db.vote.create({ data: { candidateId, guestId, value: -1 } })).rejects.toMatchObject({
      code: 'P2002',
    });
    // Through the repository a second vote replaces the first.
    await castVote(opened.db, candidateId, guestId, -1);
    expect(await opened.db.vote.findMany({ where: { candidateId }, select: { value: true } })).toEqual([{ value: -1 }]);
    await castVote(opened.db, candidateId, guestId, 0);
    expect(await opened.db.vote.count({ where: { candidateId } })).toBe(0);
  });

  it('refuses a vote value other than +1 or -1 and oversized images', async () => {
    await expect(opened.db.vote.create({ data: { candidateId, guestId, value: 5 } })).rejects.toThrow(
      /Vote_value_check|check constraint/i,
    );
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    expect(() => checkImageSize(big)).toThrow(/over the 16384-byte limit/);
    await expect(opened.db.candidate.update({ where: { id: candidateId }, data: { image: big } })).rejects.toThrow(
      /image_size_check|check constraint/i,
    );
  });

  it('keeps one entry per gallery item in a collection, and numbers the round per room', async () => {
    const item = await opened.db.galleryItem.create({
      data: {
        candidateId,
        label: 3,
        latent: [0.5, -1],
        confidence: 0.9,
        image: new Uint8Array([1]),
        upVotes: 2,
        downVotes: 0,
        score: 2,
      },
    });
    const col = await opened.db.collection.create({ data: { id: 'abcdefgh', ownerId: guestId, title: 'x' } });
    await opened.db.collectionItem.create({ data: { collectionId: col.id, galleryItemId: item.id, order: 0 } });
    await expect(
      opened.db.collectionItem.create({ data: { collectionId: col.id, galleryItemId: item.id, order: 1 } }),
    ).rejects.toMatchObject({ code: 'P2002' });
    await expect(
      opened.db.collection.create({ data: { id: 'abcdefgi', ownerId: guestId, title: '' } }),
    ).rejects.toThrow(/title_length_check|check constraint/i);
    await expect(
      opened.db.galleryItem.create({
        data: {
          candidateId,
          label: 3,
          latent: [],
          confidence: 1,
          image: new Uint8Array([1]),
          upVotes: 0,
          downVotes: 0,
          score: 0,
        },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
    const second = await createRound(opened.db, {
      room: 'vote',
      label: 1,
      hostId: guestId,
      modelVersionId: null,
      parentRoundId: null,
      seed: 2,
      closesAt: new Date(),
      candidates: [],
    });
    expect(second.number).toBe(2);
    await expect(
      opened.db.voteRound.create({ data: { room: 'vote', number: 2, hostId: guestId, seed: 3, closesAt: new Date() } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });
});
