/**
 * Issue 21, replayed against the real server and real sockets with the production limits
 * (server/limits.ts DEFAULT_LIMITS) behind one trusted proxy (TRUST_PROXY=1, so each test plays
 * from its own client address through X-Forwarded-For):
 *  4. ids from 2^31 up are refused by the schema, never reach PostgreSQL, log nothing;
 *  7. a NUL (or any control character) in a session name or any nickname or title is refused with
 *     one sentence;
 *  1. draw:save is limited per address, and new connections do not reset it;
 *  2. guests are minted a few per minute per address; young guests and an address's extra votes
 *     on one candidate are refused;
 *  3. fresh connections without a cookie cannot take every open-session slot;
 *  9b. a drawing-room guesser gets one guess per few seconds;
 *  and the operator's token cannot be guessed at socket speed, nor model archives downloaded in a loop.
 */
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTROL_CHARACTERS_MESSAGE, MAX_ID, type VoteRoundState } from '../../lib/protocol';
import { ok, request, type TestClient, type TestServer } from '../helpers/server';
import { startTinyPlayground, tinyModelFolders, type TinyModels } from '../identity/harness';

process.env.TRUST_PROXY = '1';

let server: TestServer;
let models: TinyModels;
const clients: TestClient[] = [];
const errors = vi.spyOn(console, 'error');

let nextAddress = 1;
/** A client address of its own for one test (the trusted proxy's X-Forwarded-For). */
const newAddress = () => `203.0.113.${nextAddress++}`;

async function client(address: string, cookie?: string): Promise<TestClient> {
  const c: TestClient = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) },
  });
  clients.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', resolve);
    c.once('connect_error', reject);
  });
  return c;
}

async function newGuest(
  address: string,
  nickname: string,
): Promise<{ status: number; body: { guest?: { id: string }; error?: string }; cookie: string | null }> {
  const res = await fetch(`${server.url}/api/identity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ nickname }),
  });
  return {
    status: res.status,
    body: (await res.json()) as never,
    cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null,
  };
}

const square = { points: [40, 40, 240, 40, 240, 240, 40, 240, 40, 40], width: 12 };

beforeAll(async () => {
  models = await tinyModelFolders();
  server = await startTinyPlayground(models, {
    limits: {}, // the production defaults, not the harness's relaxed ones
    voting: { minGuestAgeSeconds: 60 },
    sessions: { dataDir: path.resolve('tests/fixtures/fashion-mnist'), testLimit: 200 },
  });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.close();
  await models?.remove();
});

describe('finding 4: ids beyond the 32-bit columns', () => {
  it('refuses 2^31 in every id field with a sentence, before the database, and logs nothing', async () => {
    errors.mockClear();
    const c = await client(newAddress());
    const big = 2 ** 31;
    const replies = await Promise.all([
      request(c, 'gallery:item', { id: big }),
      request(c, 'gallery:variations', { id: big }),
      request(c, 'vote:cast', { roundId: big, candidateId: 1, value: 1 }),
      request(c, 'vote:cast', { roundId: 1, candidateId: big, value: 1 }),
      request(c, 'vote:close', { roundId: big }),
      request(c, 'sketches:list', { beforeId: big }),
      request(c, 'collection:add', { id: 'abcdefgh', galleryItemId: big }),
      request(c, 'collection:reorder', { id: 'abcdefgh', galleryItemIds: [1, big] }),
      // Model versions (found by npm run fuzz: models:get reached the database and logged P2020).
      request(c, 'models:get', { id: big }),
      request(c, 'models:serve', { id: big, adminToken: 'not-the-token-0123456789' }),
      request(c, 'draw:recognize', { strokes: [{ points: [1, 1, 2, 2], width: 4 }], modelVersionId: big }),
      request(c, 'vote:start', { room: 'big', modelVersionId: big }),
    ]);
    for (const r of replies) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`must be at most ${MAX_ID}`);
    }
    // The largest id the column holds reaches the database and is simply not there.
    expect(await request(c, 'gallery:item', { id: MAX_ID })).toEqual({
      ok: false,
      error: expect.stringMatching(/There is no gallery item/),
    });
    expect(await ok(c, 'sketches:list', { beforeId: MAX_ID })).toEqual({ sketches: [], hasMore: false });
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('finding 7: control characters in typed text', () => {
  it('refuses NUL in a session name, every nickname and a title with the same sentence', async () => {
    const address = newAddress();
    const c = await client(address);
    const replies = await Promise.all([
      request(c, 'session:create', { config: { name: 'bad\u0000name' } }),
      request(c, 'room:join', { roomId: 'room-nul', nickname: 'b\u0000b' }),
      request(c, 'room:join', { roomId: 'room-nul', nickname: 'line\nbreak' }),
      request(c, 'room:join', { roomId: 'room-nul', nickname: 'evil\u202Eright' }),
      request(c, 'collection:create', { title: 'ti\u0000tle' }),
    ]);
    for (const r of replies) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(CONTROL_CHARACTERS_MESSAGE);
    }
    const guest = await newGuest(address, 'nul\u0000guest');
    expect(guest.status).toBe(400);
    expect(guest.body.error).toBe(CONTROL_CHARACTERS_MESSAGE);
    // Emoji sequences (zero-width joiner) are fine.
    expect((await ok(c, 'room:join', { roomId: 'room-nul', nickname: 'fam 👩‍👩‍👧' })).state.players[0]!.nickname).toBe(
      'fam 👩‍👩‍👧',
    );
  });
});

describe('finding 1: draw:save', () => {
  it('is limited per client address, and fresh connections do not reset it', async () => {
    const address = newAddress();
    const replies = [];
    // 31 saves, each from a fresh anonymous connection of the same address.
    for (let i = 0; i < 31; i++) {
      const c = await client(address);
      replies.push(await request(c, 'draw:save', { strokes: [square], label: 1 }));
      c.disconnect();
    }
    expect(replies.slice(0, 30).every((r) => r.ok)).toBe(true);
    expect(replies[30]).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many saved drawings: at most 30 per minute per network address; wait \d+ s/),
    });
    expect(await server.db.drawing.count()).toBe(30);
    // Another address still saves.
    expect((await request(await client(newAddress()), 'draw:save', { strokes: [square], label: 1 })).ok).toBe(true);
  }, 60_000);
});

describe('finding 1: expensive drawings', () => {
  it('weighs recognition by points: 6,000-point drawings pass 5 a second per connection, small ones 20', async () => {
    const c = await client(newAddress());
    const pile: number[] = [];
    for (let i = 0; i < 6000; i++) pile.push(200 + ((i * 37) % 100) / 100, 200 + ((i * 53) % 100) / 100);
    const heavy = await Promise.all(
      Array.from({ length: 7 }, () => request(c, 'draw:recognize', { strokes: [{ points: pile, width: 200 }] })),
    );
    expect(heavy.filter((r) => r.ok)).toHaveLength(5);
    expect(heavy.filter((r) => !r.ok)[0]).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^Too many drawn points to recognize: at most 30000 per second per connection; wait \d+ s/,
      ),
    });
    // A page drawing ordinary strokes is held by the request count only.
    const other = await client(newAddress());
    const small = await Promise.all(
      Array.from({ length: 20 }, () => request(other, 'draw:recognize', { strokes: [square] })),
    );
    expect(small.every((r) => r.ok)).toBe(true);
  }, 60_000);
});

describe('finding 2: guest identities and votes', () => {
  it('mints a few guests per minute per address (429 with a sentence), others unaffected', async () => {
    const address = newAddress();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await newGuest(address, `g${i}`));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 429]);
    expect(statuses[3]!.body.error).toMatch(/^Too many new guest identities: at most 3 per minute per network address/);
    // Renaming an existing guest is not a new identity.
    const renamed = await fetch(`${server.url}/api/identity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address, cookie: statuses[0]!.cookie! },
      body: JSON.stringify({ nickname: 'renamed' }),
    });
    expect(renamed.status).toBe(200);
    expect((await newGuest(newAddress(), 'elsewhere')).status).toBe(200);
  });

  it("refuses votes of new guests and an address's extra votes on one candidate", async () => {
    const host = await newGuest(newAddress(), 'host');
    await server.db.guest.update({
      where: { id: host.body.guest!.id },
      data: { createdAt: new Date(Date.now() - 3600_000) },
    });
    const hostClient = await client(newAddress(), host.cookie!);
    const { round } = (await ok(hostClient, 'vote:start', { room: 'vote' })) as { round: VoteRoundState };
    const candidateId = round.candidates[0]!.id;

    // A guest minted a moment ago cannot vote yet.
    const young = await newGuest(newAddress(), 'young');
    const youngClient = await client(newAddress(), young.cookie!);
    expect(await request(youngClient, 'vote:cast', { roundId: round.id, candidateId, value: 1 })).toEqual({
      ok: false,
      error: expect.stringMatching(/^New guests can vote 60 s after picking a nickname/),
    });

    // Nine old guests behind one address: eight votes on one candidate count, the ninth is refused.
    const address = newAddress();
    const voters: TestClient[] = [];
    for (let i = 0; i < 9; i++) {
      const g = await newGuest(newAddress(), `voter${i}`);
      await server.db.guest.update({
        where: { id: g.body.guest!.id },
        data: { createdAt: new Date(Date.now() - 3600_000) },
      });
      voters.push(await client(address, g.cookie!));
    }
    const votes = [];
    for (const v of voters) votes.push(await request(v, 'vote:cast', { roundId: round.id, candidateId, value: 1 }));
    expect(votes.slice(0, 8).every((r) => r.ok)).toBe(true);
    expect(votes[8]).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many votes on this candidate from your network: at most 8 per 10 minutes/),
    });
    // Their votes on another candidate still count.
    expect(
      (await request(voters[8]!, 'vote:cast', { roundId: round.id, candidateId: round.candidates[1]!.id, value: 1 }))
        .ok,
    ).toBe(true);
  }, 60_000);
});

describe('finding 3: open-session slots', () => {
  it('takes a guest to create a session, and lets one address create only a few', async () => {
    const address = newAddress();
    // Without a cookie: refused (a fresh connection is nobody).
    const anonymous = await client(address);
    const refused = await request(anonymous, 'session:create', { config: { name: 'flood', trainLimit: 256 } });
    expect(refused.ok).toBe(false);
    // Two guests of one address (guest creation is itself limited per address), three sessions each.
    const replies = [];
    for (const nickname of ['flood one', 'flood two']) {
      const { cookie } = await newGuest(address, nickname);
      for (let i = 0; i < 3; i++) {
        const c = await client(address, cookie!);
        replies.push(await request(c, 'session:create', { config: { name: `${nickname} ${i}`, trainLimit: 256 } }));
        c.disconnect();
      }
    }
    expect(replies.slice(0, 5).every((r) => r.ok)).toBe(true);
    expect(replies[5]).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many new training sessions: at most 5 per 15 minutes per network address/),
    });
    const other = newAddress();
    const real = await client(other, (await newGuest(other, 'real user')).cookie!);
    expect((await request(real, 'session:create', { config: { name: 'real user' } })).ok).toBe(true);
  }, 60_000);
});

describe('drawing rooms: guesses', () => {
  it('gives a guesser one guess per few seconds, so nobody can send all ten labels', async () => {
    const drawer = await client(newAddress());
    const guesser = await client(newAddress());
    await ok(drawer, 'room:join', { roomId: 'guess-limit', nickname: 'drawer' });
    await ok(guesser, 'room:join', { roomId: 'guess-limit', nickname: 'guesser' });
    const { target } = await ok(drawer, 'room:start', { roomId: 'guess-limit' });
    const wrong = (target + 1) % 10;
    expect(await ok(guesser, 'room:guess', { roomId: 'guess-limit', label: wrong })).toEqual({
      correct: false,
      first: false,
    });
    expect(await request(guesser, 'room:guess', { roomId: 'guess-limit', label: target })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many guesses: at most 1 per 3 seconds per connection/),
    });
  });
});

describe('operator requests and model downloads', () => {
  it('counts models:serve before the token is checked, so the token cannot be guessed at socket speed', async () => {
    const c = await client(newAddress());
    const replies = [];
    for (let i = 0; i < 11; i++)
      replies.push(await request(c, 'models:serve', { id: 1, adminToken: `a-guess-of-the-token-${i}` }));
    for (const r of replies.slice(0, 10)) expect(r.ok).toBe(false);
    expect(replies.slice(0, 10).some((r) => !r.ok && /^Too many/.test(r.error))).toBe(false);
    expect(replies[10]).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many operator requests: at most 10 per minute per connection/),
    });
  });

  it('lets an address download a few model archives a minute (429 with a sentence)', { timeout: 60_000 }, async () => {
    const c = await client(newAddress());
    const { versions } = await ok(c, 'models:list', { kind: 'cnn' });
    const version = versions.find((v) => v.available)!;
    expect(version).toBeDefined();
    const address = newAddress();
    const statuses: number[] = [];
    let refusal = '';
    for (let i = 0; i < 11; i++) {
      const res = await fetch(`${server.url}/api/models/${version.id}/archive`, {
        headers: { 'x-forwarded-for': address },
      });
      statuses.push(res.status);
      if (res.status === 429) refusal = ((await res.json()) as { error: string }).error;
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    expect(refusal).toMatch(/^Too many model downloads: at most 10 per minute per network address/);
    // Another address is not affected.
    const other = await fetch(`${server.url}/api/models/${version.id}/archive`, {
      headers: { 'x-forwarded-for': newAddress() },
    });
    expect(other.status).toBe(200);
  });
});
