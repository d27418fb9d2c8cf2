/**
 * Guest identity and collection ownership: signed cookies (forged or tampered ones refused), the
 * secret kept in the data folder across restarts, the nickname route's limits (text, not HTML),
 * and a non-owner refused when changing a collection over HTTP and over the socket.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCookieSecret, signGuestId, verifyGuestCookie } from '../../server/identity/cookie';
import { ok, pickNickname, request, withTinyPlayground } from './harness';

describe('the guest cookie', () => {
  const id = '3f1c2b4a-1111-4222-8333-444455556666';
  it('verifies only what this secret signed', () => {
    const value = signGuestId(id, 's'.repeat(32));
    expect(verifyGuestCookie(value, 's'.repeat(32))).toBe(id);
    expect(verifyGuestCookie(value, 't'.repeat(32))).toBeNull();
    expect(verifyGuestCookie(value.replace('3f1c', '3f1d'), 's'.repeat(32))).toBeNull();
    expect(verifyGuestCookie(id, 's'.repeat(32))).toBeNull();
    expect(verifyGuestCookie(undefined, 's'.repeat(32))).toBeNull();
  });

  it('keeps a generated secret in the data folder, the same after a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cookie-secret-'));
    try {
      const [a, b] = await Promise.all([loadCookieSecret(undefined, dir), loadCookieSecret(undefined, dir)]);
      expect(a).toHaveLength(64);
      expect(b).toBe(a);
      expect(await loadCookieSecret(undefined, dir)).toBe(a);
      expect((await readFile(path.join(dir, 'cookie-secret'), 'utf8')).trim()).toBe(a);
      expect(await loadCookieSecret('x'.repeat(40), dir)).toBe('x'.repeat(40));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('nicknames and collections over HTTP and the socket', () => {
  const playground = withTinyPlayground();

  const post = (p: string, body: unknown, cookie?: string, method = 'POST') =>
    fetch(`${playground.server.url}/api${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });

  it('issues an httpOnly signed cookie for a nickname, limits its length and stores it as text', async () => {
    const res = await post('/identity', { nickname: '<b>bold</b>' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^fmp_guest=[0-9a-f-]{36}\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax/);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const me = await (await fetch(`${playground.server.url}/api/identity`, { headers: { cookie } })).json();
    expect(me.guest.nickname).toBe('<b>bold</b>'); // stored as typed; pages render it as text
    expect((await post('/identity', { nickname: 'x'.repeat(25) })).status).toBe(400);
    expect(await (await post('/identity', { nickname: '   ' })).json()).toEqual({ error: 'Choose a nickname.' });
    expect((await post('/identity', { nickname: 'a\u0000b' })).status).toBe(400);
    // What hidden nicknames show as cannot pass for moderated content.
    expect(await (await post('/identity', { nickname: ' (Hidden) ' })).json()).toEqual({
      error: '"(hidden)" is how hidden nicknames are shown; choose another one.',
    });
    const notJson = await fetch(`${playground.server.url}/api/identity`, {
      method: 'POST',
      body: 'nickname=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    // Renaming keeps the guest.
    const renamed = await (await post('/identity', { nickname: 'plain' }, cookie)).json();
    expect(renamed.guest.id).toBe(me.guest.id);
    const forged = await (
      await fetch(`${playground.server.url}/api/identity`, { headers: { cookie: cookie.slice(0, -3) + 'abc' } })
    ).json();
    expect(forged).toMatchObject({ guest: null, problem: 'forged' });
  });

  it('lets only the owner change a collection (HTTP and socket); private ones stay hidden', async () => {
    const owner = await pickNickname(playground.server.url, 'owner');
    const other = await pickNickname(playground.server.url, 'other');
    const created = await post('/collections', { title: 'Dresses I like', public: true }, owner.cookie);
    expect(created.status).toBe(201);
    const col = await created.json();
    expect(col).toMatchObject({ title: 'Dresses I like', public: true, owner: 'owner', yours: true, items: [] });

    expect((await post('/collections', { title: 'x' })).status).toBe(401);
    expect((await post('/collections', { title: 'y'.repeat(81) }, owner.cookie)).status).toBe(400);
    const rename = await post(`/collections/${col.id}`, { title: 'mine now' }, other.cookie, 'PATCH');
    expect(rename.status).toBe(403);
    expect((await rename.json()).error).toMatch(/Only the owner/);
    expect((await post(`/collections/${col.id}`, { title: 'stolen' }, undefined, 'PATCH')).status).toBe(401);
    expect(
      (
        await fetch(`${playground.server.url}/api/collections/${col.id}`, {
          method: 'DELETE',
          headers: { cookie: other.cookie },
        })
      ).status,
    ).toBe(403);

    const otherSocket = await playground.connect(other.cookie);
    const viaSocket = await request(otherSocket, 'collection:update', { id: col.id, title: 'mine now' });
    expect(viaSocket).toEqual({ ok: false, error: expect.stringMatching(/Only the owner/) });
    expect((await request(otherSocket, 'collection:delete', { id: col.id })).ok).toBe(false);
    expect((await request(otherSocket, 'collection:reorder', { id: col.id, galleryItemIds: [] })).ok).toBe(false);
    expect((await ok(otherSocket, 'collection:get', { id: col.id })).yours).toBe(false);

    const renamed = await post(`/collections/${col.id}`, { title: 'Summer', public: false }, owner.cookie, 'PATCH');
    expect(await renamed.json()).toMatchObject({ title: 'Summer', public: false });
    // Private now: the other guest cannot see it at all.
    expect(
      (await fetch(`${playground.server.url}/api/collections/${col.id}`, { headers: { cookie: other.cookie } })).status,
    ).toBe(404);
    expect(await request(otherSocket, 'collection:get', { id: col.id })).toEqual({
      ok: false,
      error: expect.stringMatching(/no collection/),
    });
    expect((await playground.server.db.collection.findUniqueOrThrow({ where: { id: col.id } })).title).toBe('Summer');
  });

  it('adds, reorders and removes items for the owner', async () => {
    const owner = await pickNickname(playground.server.url, 'curator');
    const guest = await playground.server.db.guest.findUniqueOrThrow({ where: { id: owner.guest.id } });
    const round = await playground.server.db.voteRound.create({
      data: {
        room: 'r',
        number: 1,
        hostId: guest.id,
        seed: 1,
        closesAt: new Date(),
        state: 'closed',
        candidates: {
          create: [0, 1, 2].map((position) => ({
            position,
            label: position,
            latent: [0],
            confidence: 0.5,
            image: new Uint8Array([1]),
            origin: 'fresh',
            parentIds: [],
          })),
        },
      },
      include: { candidates: true },
    });
    const items = await Promise.all(
      round.candidates.map((c) =>
        playground.server.db.galleryItem.create({
          data: {
            candidateId: c.id,
            label: c.label,
            latent: [0],
            confidence: 0.5,
            image: new Uint8Array([1]),
            upVotes: 1,
            downVotes: 0,
            score: 1,
          },
        }),
      ),
    );
    const socket = await playground.connect(owner.cookie);
    const col = await ok(socket, 'collection:create', { title: 'Order test' });
    for (const i of items) await ok(socket, 'collection:add', { id: col.id, galleryItemId: i.id });
    const order = [items[2]!.id, items[0]!.id, items[1]!.id];
    const re = await post(`/collections/${col.id}/order`, { galleryItemIds: order }, owner.cookie, 'PUT');
    expect((await re.json()).items.map((i: { galleryItemId: number }) => i.galleryItemId)).toEqual(order);
    expect(
      (await post(`/collections/${col.id}/order`, { galleryItemIds: [items[0]!.id] }, owner.cookie, 'PUT')).status,
    ).toBe(400);
    const removed = await fetch(`${playground.server.url}/api/collections/${col.id}/items/${items[0]!.id}`, {
      method: 'DELETE',
      headers: { cookie: owner.cookie },
    });
    expect((await removed.json()).items.map((i: { galleryItemId: number }) => i.galleryItemId)).toEqual([
      items[2]!.id,
      items[1]!.id,
    ]);
    const mine = await ok(socket, 'collections:list', { scope: 'mine' });
    expect(mine.collections.map((c) => [c.title, c.count])).toEqual([['Order test', 2]]);

    // Changes at once (a double click, two tabs) run one after the other: one item added twice is
    // there once, two items added together get places of their own.
    const both = await ok(socket, 'collection:create', { title: 'At once' });
    const twice = await Promise.all(
      [0, 0, 1].map((i) => request(socket, 'collection:add', { id: both.id, galleryItemId: items[i]!.id })),
    );
    expect(twice.map((r) => r.ok)).toEqual([true, true, true]);
    const rows = await playground.server.db.collectionItem.findMany({ where: { collectionId: both.id } });
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.order)).size).toBe(2);
    // Deleted in one tab while another removes an item: not found, not a server failure.
    const [deleted, removing] = await Promise.all([
      request(socket, 'collection:delete', { id: both.id }),
      request(socket, 'collection:remove', { id: both.id, galleryItemId: items[0]!.id }),
    ]);
    expect(deleted.ok).toBe(true);
    if (!removing.ok) expect(removing.error).toMatch(/^There is no collection .* you can see/);
  });

  it('pages through more collections and assessments than fit one page, each once, newest first', async () => {
    const db = playground.server.db;
    const owner = await db.guest.create({ data: { nickname: 'prolific' } });
    const base = Date.now() - 3_600_000;
    // Two share each time stamp: the id breaks the tie, so none is skipped or shown twice.
    await db.collection.createMany({
      data: Array.from({ length: 75 }, (_, i) => ({
        id: `page-${String(i).padStart(3, '0')}`,
        ownerId: owner.id,
        title: `page ${i}`,
        public: true,
        updatedAt: new Date(base + Math.floor(i / 2) * 1000),
      })),
    });
    const socket = await playground.connect();
    const first = await ok(socket, 'collections:list', { scope: 'public' });
    expect(first.collections).toHaveLength(60);
    expect(first.next).not.toBeNull();
    const second = await ok(socket, 'collections:list', { scope: 'public', after: first.next });
    expect(second.next).toBeNull();
    const ids = [...first.collections, ...second.collections].map((c) => c.id).filter((id) => id.startsWith('page-'));
    expect(new Set(ids).size).toBe(75);
    expect(ids.length).toBe(75);

    const version = await db.modelVersion.create({
      data: { kind: 'cnn', name: 'paged', path: 'models/paged', params: 1, trainingLog: {}, trainingLogHash: 'paged' },
    });
    await db.assessment.createMany({
      data: Array.from({ length: 130 }, (_, i) => ({ modelVersionId: version.id, source: 'eval:cnn', metrics: { i } })),
    });
    const page1 = await ok(socket, 'assessments:list', {});
    expect(page1.assessments).toHaveLength(100);
    expect(page1.hasMore).toBe(true);
    const page2 = await ok(socket, 'assessments:list', { beforeId: page1.assessments.at(-1)!.id });
    const all = [...page1.assessments, ...page2.assessments].map((a) => a.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((id) => id > 0).length).toBeGreaterThanOrEqual(130);
    expect(page2.hasMore).toBe(false);
  });
});
