/**
 * Fuzzing every socket request of the protocol (lib/protocol clientRequests) and the HTTP API with
 * malformed and edge-case payloads, against the real server on a real PostgreSQL: every request
 * must get a reply, the server must keep serving, and its log must hold no internal error (a
 * handler that threw something other than a sentence for people, or a failed API route).
 *
 * CI runs a bounded number of rounds; `npm run fuzz` runs many more (FUZZ_ROUNDS, FUZZ_SEED).
 */
import { expect, it, vi } from 'vitest';
import { clientRequests, type RequestName } from '../../lib/protocol';
import { mulberry32 } from '../../server/ml/data/random';
import { pickNickname } from '../helpers/server';
import { withTinyPlayground } from '../identity/harness';

const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 3);
const SEED = Number(process.env.FUZZ_SEED ?? 21);

const playground = withTinyPlayground();
const errors = vi.spyOn(console, 'error');

const square = { points: [40, 40, 240, 40, 240, 240, 40, 240], width: 12 };

/** A valid-looking payload per request, the starting point of mutations. */
const TEMPLATES: Record<RequestName, unknown> = {
  'status:get': {},
  'draw:recognize': { strokes: [square] },
  'draw:save': { strokes: [square], label: 3 },
  'sketches:list': { label: null, limit: 24, beforeId: null },
  'room:join': { roomId: 'fuzz', nickname: 'fuzzer' },
  'room:leave': { roomId: 'fuzz' },
  'room:start': { roomId: 'fuzz' },
  'room:draw': { roomId: 'fuzz', strokes: [square] },
  'room:guess': { roomId: 'fuzz', label: 2 },
  'sessions:watch': {},
  'sessions:unwatch': {},
  'session:create': { config: { name: 'fuzz', trainLimit: 256, epochs: 1 } },
  'session:join': { sessionId: 'abcdef123456', since: null },
  'session:vote:open': { sessionId: 'abcdef123456', label: null, durationSeconds: 60, breed: true },
  'session:vote:close': { sessionId: 'abcdef123456' },
  'models:list': { kind: null },
  'models:get': { id: 1 },
  'models:serve': { id: 1, adminToken: 'not-the-token-0123456789' },
  'session:leave': { sessionId: 'abcdef123456' },
  'session:control': { sessionId: 'abcdef123456', action: 'pause' },
  'session:lr': { sessionId: 'abcdef123456', lr: 0.01 },
  'vote:join': { room: 'vote' },
  'vote:leave': { room: 'vote' },
  'vote:start': { room: 'fuzz', label: null, durationSeconds: 60, breed: true },
  'vote:cast': { roundId: 1, candidateId: 1, value: 1 },
  'vote:close': { roundId: 1 },
  'gallery:list': { label: null, sort: 'votes', page: 1, pageSize: 24 },
  'gallery:item': { id: 1 },
  'gallery:variations': { id: 1, count: 2 },
  'collections:list': { scope: 'mine' },
  'collection:get': { id: 'abcdefgh' },
  'collection:create': { title: 'fuzz', public: true },
  'collection:update': { id: 'abcdefgh', title: 'fuzz', public: false },
  'collection:add': { id: 'abcdefgh', galleryItemId: 1 },
  'collection:remove': { id: 'abcdefgh', galleryItemId: 1 },
  'collection:reorder': { id: 'abcdefgh', galleryItemIds: [1, 2] },
  'collection:delete': { id: 'abcdefgh' },
  'assessments:list': {},
  'admin:hide': { token: 'not-the-token-0123456789', target: { kind: 'galleryItem', id: '1' }, hidden: true },
  'admin:hidden': { token: 'not-the-token-0123456789' },
};

const INTERESTING: unknown[] = [
  null,
  0,
  -1,
  1,
  1.5,
  9,
  10,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 53,
  -(2 ** 31),
  1e308,
  -0,
  '',
  ' ',
  'a',
  '\u0000',
  'x\u0000y',
  '\u202Eevil',
  '😀',
  '\uD800',
  'a'.repeat(5000),
  '0',
  '1',
  'NaN',
  '__proto__',
  'constructor',
  true,
  false,
  [],
  [1, 2, 3],
  [null],
  [[]],
  {},
  { a: 1 },
  { __proto__: { polluted: 1 } },
  { toString: 'x' },
  [{ points: [1, 2], width: 1 }],
  [{ points: [], width: 1 }],
  [{ points: [1e9, 1e9], width: 1e9 }],
];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (r < 0.15 || depth > 3) return pick(INTERESTING);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (random() < 0.3 ? mutate(v, random, depth + 1) : v));
    if (random() < 0.2) copy.push(pick(INTERESTING));
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const op = random();
    if (op < 0.6 && keys.length) {
      const k = pick(keys);
      copy[k] = mutate(copy[k], random, depth + 1);
    } else if (op < 0.8 && keys.length) delete copy[pick(keys)];
    else copy[pick(['extra', '__proto__', 'constructor', 'id'])] = pick(INTERESTING);
    return copy;
  }
  return pick(INTERESTING);
}

const internalErrors = () =>
  errors.mock.calls
    .map((c) => c.map(String).join(' '))
    .filter((line) => /handler failed|request failed|\[api\]|\[http\]/.test(line));

it(
  `answers ${ROUNDS} rounds of malformed payloads to every request with a reply and no internal error (seed ${SEED})`,
  async () => {
    const random = mulberry32(SEED); // seeded, so a failing run can be replayed with FUZZ_SEED
    const { cookie } = await pickNickname(playground.server.url, 'fuzzer');
    const guest = await playground.connect(cookie);
    const anonymous = await playground.connect();
    const names = Object.keys(clientRequests) as RequestName[];
    let replies = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [guest, anonymous]) {
        const sent = names.flatMap((name) =>
          [
            TEMPLATES[name],
            mutate(TEMPLATES[name], random),
            mutate(TEMPLATES[name], random),
            mutate(undefined, random),
          ].map((payload) =>
            new Promise<unknown>((resolve) => (c.emit as (...a: unknown[]) => void)(name, payload, resolve)).then(
              (reply) => {
                expect(reply, name).toMatchObject({ ok: expect.any(Boolean) });
                replies++;
              },
            ),
          ),
        );
        // Odd shapes: no payload, extra arguments, no acknowledgement at all (nobody to answer).
        for (const name of names) {
          (c.emit as (...a: unknown[]) => void)(name);
          (c.emit as (...a: unknown[]) => void)(name, TEMPLATES[name], 'extra', 42);
        }
        await Promise.all(sent);
      }
      if (process.env.FUZZ_VERBOSE) console.log(`[fuzz] round ${round + 1}/${ROUNDS}: ${replies} replies`);
    }
    expect(replies).toBe(ROUNDS * 2 * names.length * 4);

    // The HTTP API with malformed bodies, paths and methods.
    const bodies = [
      '',
      '{',
      'null',
      '[]',
      '"x"',
      '{"nickname":null}',
      '{"nickname":"\\u0000"}',
      '{"title":123}',
      '{"galleryItemIds":[1e400]}',
      JSON.stringify({ nickname: 'a'.repeat(20_000) }),
    ];
    const routes: [string, string][] = [
      ['POST', '/api/identity'],
      ['GET', '/api/identity'],
      ['POST', '/api/collections'],
      ['PATCH', '/api/collections/abcdefgh'],
      ['POST', '/api/collections/abcdefgh/items'],
      ['DELETE', '/api/collections/abcdefgh/items/99999999999'],
      ['PUT', '/api/collections/abcdefgh/order'],
      ['GET', '/api/collections/%ZZ'],
      ['DELETE', '/api/collections/abcdefgh'],
    ];
    for (const [method, path] of routes) {
      for (const body of bodies) {
        if (process.env.FUZZ_VERBOSE) console.log(`[fuzz] ${method} ${path} ${body.slice(0, 30)}`);
        const res = await fetch(playground.server.url + path, {
          method,
          headers: { 'content-type': 'application/json', cookie },
          body: method === 'GET' || method === 'DELETE' ? undefined : body,
          signal: AbortSignal.timeout(30_000),
        });
        expect(res.status, `${method} ${path} ${body.slice(0, 40)}`).toBeLessThan(500);
      }
    }

    // Still serving, and nothing internal in the log.
    const status = await new Promise<{ ok: boolean }>((resolve) => guest.emit('status:get', {}, resolve));
    expect(status.ok).toBe(true);
    expect(internalErrors()).toEqual([]);
  },
  Math.max(120_000, ROUNDS * 30_000),
);
