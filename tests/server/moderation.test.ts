/**
 * Issue 21 finding 9: an operator (ADMIN_TOKEN) hides a gallery item, a drawing, a collection and a
 * nickname over the socket; a second client is told at once and no longer gets them from any list;
 * nothing is deleted, and showing again brings them back.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN_NICKNAME } from '../../lib/protocol';
import { ok, request, type TestClient } from '../helpers/server';
import { withTinyPlayground } from '../identity/harness';

const TOKEN = 'operator-token-for-tests-0123456789';
process.env.ADMIN_TOKEN = TOKEN;

const playground = withTinyPlayground();
const person = async (nickname: string): Promise<TestClient> => (await playground.guest(nickname)).client;

const square = { points: [40, 40, 240, 40, 240, 240, 40, 240, 40, 40], width: 12 };

describe('moderation', () => {
  it('refuses anyone without the operator token, with a sentence', async () => {
    const c = await person('nosy');
    expect(await request(c, 'admin:hidden', { token: 'wrong-token-0123456789' })).toEqual({
      ok: false,
      error: 'That operator token is not right.',
    });
  });

  it('hides a gallery item, drawing, collection and nickname from a second client live; showing again restores them', async () => {
    const host = await person('Rude Name');
    const { round } = await ok(host, 'vote:start', { room: 'vote' });
    await ok(host, 'vote:cast', { roundId: round.id, candidateId: round.candidates[0]!.id, value: 1 });
    const { round: closed } = await ok(host, 'vote:close', { roundId: round.id });
    const itemId = closed.winners[0]!.galleryItemId;
    const { id: drawingId } = await ok(host, 'draw:save', { strokes: [square], label: 0 });
    const collection = await ok(host, 'collection:create', { title: 'public one', public: true });
    await ok(host, 'collection:add', { id: collection.id, galleryItemId: itemId });

    const viewer = await person('viewer');
    const operator = await playground.connect();
    const pushes: unknown[] = [];
    viewer.on('moderation:changed', (change) => pushes.push(change));
    const galleryIds = async () => (await ok(viewer, 'gallery:list', { sort: 'newest' })).items.map((i) => i.id);
    expect(await galleryIds()).toContain(itemId);
    expect((await ok(viewer, 'gallery:list', { sort: 'newest' })).items.find((i) => i.id === itemId)!.author).toBe(
      'Rude Name',
    );

    const hide = (kind: 'galleryItem' | 'drawing' | 'collection' | 'nickname', id: string, hidden = true) =>
      ok(operator, 'admin:hide', { token: TOKEN, target: { kind, id }, hidden });

    // Nickname: shown as "(hidden)" wherever the lists show it.
    await hide('nickname', 'rude name');
    expect((await ok(viewer, 'gallery:list', { sort: 'newest' })).items.find((i) => i.id === itemId)!.author).toBe(
      HIDDEN_NICKNAME,
    );
    expect((await ok(viewer, 'sketches:list', {})).sketches.find((s) => s.id === drawingId)!.author).toBe(
      HIDDEN_NICKNAME,
    );

    // Nobody can take the hidden nickname again.
    const taken = await fetch(`${playground.server.url}/api/identity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'RUDE NAME ' }),
    });
    expect(taken.status).toBe(400);
    expect(((await taken.json()) as { error: string }).error).toBe(
      'That nickname was hidden by a moderator; choose another one.',
    );
    // In a drawing room a guest is their cookie's nickname; a visitor without one types it.
    const visitor = await playground.connect();
    expect(await request(visitor, 'room:join', { roomId: 'r1', nickname: 'Rude name' })).toEqual({
      ok: false,
      error: 'That nickname was hidden by a moderator; choose another one.',
    });

    // Gallery item: gone from the list, the detail, variations and the collection's items.
    await hide('galleryItem', String(itemId));
    await expect.poll(() => pushes).toContainEqual({ kind: 'galleryItem', id: String(itemId), hidden: true });
    expect(await galleryIds()).not.toContain(itemId);
    expect(await request(viewer, 'gallery:item', { id: itemId })).toEqual({
      ok: false,
      error: `There is no gallery item ${itemId}; pick one from the gallery.`,
    });
    expect((await ok(viewer, 'collection:get', { id: collection.id })).items).toEqual([]);

    // Drawing and collection.
    await hide('drawing', String(drawingId));
    expect((await ok(viewer, 'sketches:list', {})).sketches.map((s) => s.id)).not.toContain(drawingId);
    await hide('collection', collection.id);
    expect((await ok(viewer, 'collections:list', { scope: 'public' })).collections.map((c) => c.id)).not.toContain(
      collection.id,
    );
    expect(await request(viewer, 'collection:get', { id: collection.id })).toEqual({
      ok: false,
      error: `There is no collection ${collection.id}; check the link.`,
    });
    expect((await fetch(`${playground.server.url}/api/collections/${collection.id}`)).status).toBe(404);
    // Its owner still sees it (nothing is deleted).
    expect((await ok(host, 'collections:list', { scope: 'mine' })).collections.map((c) => c.id)).toContain(
      collection.id,
    );

    const { hidden } = await ok(operator, 'admin:hidden', { token: TOKEN });
    expect(hidden.map((h) => `${h.kind}:${h.id}`).sort()).toEqual(
      [`collection:${collection.id}`, `drawing:${drawingId}`, `galleryItem:${itemId}`, 'nickname:rude name'].sort(),
    );
    expect(await playground.server.db.galleryItem.count({ where: { id: itemId } })).toBe(1);
    expect(await playground.server.db.drawing.count({ where: { id: drawingId } })).toBe(1);

    // Showing again brings everything back.
    for (const [kind, id] of [
      ['galleryItem', String(itemId)],
      ['drawing', String(drawingId)],
      ['collection', collection.id],
      ['nickname', 'Rude Name'],
    ] as const)
      await hide(kind, id, false);
    await expect.poll(() => pushes).toContainEqual({ kind: 'galleryItem', id: String(itemId), hidden: false });
    expect(await galleryIds()).toContain(itemId);
    expect((await ok(viewer, 'sketches:list', {})).sketches.find((s) => s.id === drawingId)!.author).toBe('Rude Name');
    expect((await ok(viewer, 'collections:list', { scope: 'public' })).collections.map((c) => c.id)).toContain(
      collection.id,
    );
    expect((await ok(operator, 'admin:hidden', { token: TOKEN })).hidden).toEqual([]);
  }, 60_000);

  it("keeps a hidden gallery item out of collections' previews, counts and replies and out of lineages; it cannot be added, and its collection still reorders", async () => {
    const host = await person('breeder');
    const operator = await playground.connect();
    const hide = (id: number, hidden = true) =>
      ok(operator, 'admin:hide', { token: TOKEN, target: { kind: 'galleryItem', id: String(id) }, hidden });
    // Two winners, then a round bred from them and its winner.
    const { round } = await ok(host, 'vote:start', { room: 'lineage' });
    for (const c of round.candidates.slice(0, 2))
      await ok(host, 'vote:cast', { roundId: round.id, candidateId: c.id, value: 1 });
    const parents = (await ok(host, 'vote:close', { roundId: round.id })).round.winners.map((w) => w.galleryItemId);
    expect(parents).toHaveLength(2);
    const { round: bred } = await ok(host, 'vote:start', { room: 'lineage' });
    await ok(host, 'vote:cast', { roundId: bred.id, candidateId: bred.candidates[0]!.id, value: 1 });
    const child = (await ok(host, 'vote:close', { roundId: bred.id })).round.winners[0]!.galleryItemId;
    const ancestors = async () => (await ok(host, 'gallery:item', { id: child })).lineage.map((a) => a.galleryItemId);
    expect((await ancestors()).some((id) => id !== null && parents.includes(id))).toBe(true);

    const collection = await ok(host, 'collection:create', { title: 'family', public: true });
    for (const id of [...parents, child]) await ok(host, 'collection:add', { id: collection.id, galleryItemId: id });
    const [a, b] = parents as [number, number];
    await hide(a);
    await hide(b);

    // The child's page no longer shows its hidden parents.
    expect((await ancestors()).filter((id) => id !== null && parents.includes(id))).toEqual([]);
    // Previews and counts of the public list leave them out, for the owner too.
    const listed = async (c: TestClient, scope: 'mine' | 'public') =>
      (await ok(c, 'collections:list', { scope })).collections.find((x) => x.id === collection.id)!;
    for (const [c, scope] of [
      [await person('browser'), 'public'],
      [host, 'mine'],
    ] as const) {
      const shown = await listed(c, scope);
      expect(shown.count).toBe(1);
      expect(shown.preview).toHaveLength(1);
    }
    // A hidden item cannot be added, even to one's own collection; write replies leave it out.
    const other = await ok(host, 'collection:create', { title: 'other', public: false });
    expect(await request(host, 'collection:add', { id: other.id, galleryItemId: a })).toEqual({
      ok: false,
      error: `There is no gallery item ${a}; pick one from the gallery.`,
    });
    const renamed = await ok(host, 'collection:update', { id: collection.id, title: 'family tree' });
    expect(renamed.items.map((i) => i.galleryItemId)).toEqual([child]);
    // The owner reorders what they see; the hidden items keep their order after it.
    const reordered = await ok(host, 'collection:reorder', { id: collection.id, galleryItemIds: [child] });
    expect(reordered.items.map((i) => i.galleryItemId)).toEqual([child]);
    await hide(a, false);
    await hide(b, false);
    expect((await ok(host, 'collection:get', { id: collection.id })).items.map((i) => i.galleryItemId)).toEqual([
      child,
      a,
      b,
    ]);
  }, 60_000);
});
