/**
 * The Socket.IO wire protocol, shared by the server and the pages: the parts every feature uses.
 * Every module in lib/protocol must stay free of Node-only imports (zod only).
 *
 * Delivery, per event:
 * - `ack`: a request from the client that must arrive; the server answers through the Socket.IO
 *   acknowledgement with a `Reply` (`{ ok: true, data }` or `{ ok: false, error }`).
 * - `reliable`: a server push sent in order on the connection, without a reply. A client that was
 *   disconnected misses it, so on every (re)connect it asks again with the matching `ack` request.
 * - `volatile`: may be dropped under back-pressure (per-batch metrics, cursors); the next one
 *   supersedes it.
 */
import { z } from './zod';

/** Largest message a client may send, in bytes (Socket.IO `maxHttpBufferSize`). Bigger: disconnect. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export type Delivery = 'ack' | 'reliable' | 'volatile';

/**
 * The handshake refusal a socket gets while the server is still attaching its handlers (it would
 * otherwise be let in and never answered); clients connect again after a moment.
 */
export const SERVER_STARTING = 'The playground is starting; connecting again in a moment.';

/** The answer to every `ack` request. */
export type Reply<T> = { ok: true; data: T } | { ok: false; error: string };

/** An `ack` request: what the client sends (parsed at the server's edge) and what a reply's `data` holds. */
export type AckRequest = { delivery: 'ack'; payload: z.ZodType; reply: z.ZodType };
/** A server push: what it carries and whether it may be dropped. */
export type Push = { delivery: 'reliable' | 'volatile'; payload: z.ZodType };

/**
 * Declares an `ack` request from the fields of its payload and the schema of its reply. The payload
 * is a strict object: a client that sends a field the request does not know is refused, not ignored.
 */
export const request = <P extends z.ZodRawShape, R extends z.ZodType>(payload: P, reply: R) =>
  ({ delivery: 'ack', payload: z.object(payload).strict(), reply }) as const;

/** Declares a server push and its delivery (see above: may it be dropped?). */
export const push = <P extends z.ZodType, D extends Push['delivery']>(payload: P, delivery: D) =>
  ({ delivery, payload }) as const;

/** A feature's requests (or pushes), checked to be requests (pushes) and kept with their exact types. */
export const defineRequests = <T extends Record<string, AckRequest>>(requests: T): T => requests;
export const definePushes = <T extends Record<string, Push>>(pushes: T): T => pushes;

/** A garment class, 0-9 (lib/classes names them). */
export const ClassIndexSchema = z
  .number({ error: 'The label must be a class number 0-9.' })
  .int('The label must be a whole class number 0-9.')
  .min(0, 'The label must be a class number 0-9.')
  .max(9, 'The label must be a class number 0-9.');

/**
 * Ids the server keeps in PostgreSQL `integer` columns: 1 .. 2^31-1. A bigger one would reach the
 * database and fail there; every id a client sends is bounded by this.
 */
export const MAX_ID = 2 ** 31 - 1;

/** A database id of `what` (e.g. "A gallery item id"), a whole number 1 .. MAX_ID. */
export const IdSchema = (what = 'An id') =>
  z
    .number({ error: `${what} must be a number.` })
    .int(`${what} must be a whole number.`)
    .min(1, `${what} must be at least 1.`)
    .max(MAX_ID, `${what} must be at most ${MAX_ID}; check the link.`);

/** A count or sequence number a client sends back (0 .. MAX_ID). */
export const CountSchema = (what: string) =>
  z
    .number({ error: `${what} must be a number.` })
    .int(`${what} must be a whole number.`)
    .min(0, `${what} must not be negative.`)
    .max(MAX_ID, `${what} must be at most ${MAX_ID}.`);

/** The one sentence every human-typed text gets when it holds control characters. */
export const CONTROL_CHARACTERS_MESSAGE =
  'Typed text cannot contain control or invisible formatting characters (such as NUL, line breaks or direction overrides); remove them.';

/**
 * C0/C1 controls (NUL, line breaks, DEL...) and invisible format characters (direction overrides,
 * zero-width spaces) and lone surrogates, except the zero-width joiner that emoji sequences need;
 * PostgreSQL refuses NUL in text and the others only disguise a text as another.
 */
const CONTROL = /[\p{Cc}\p{Cf}\p{Cs}]/u;
const ZWJ = /\u200D/gu;
export const hasControlCharacters = (s: string): boolean => CONTROL.test(s.replace(ZWJ, ''));

/**
 * Text a person types and others see (nicknames, session names, titles): trimmed, 1..max
 * characters, no control characters. `what` names it in the sentences ("A nickname").
 */
export const TextSchema = (what: string, max: number, empty = `${what} cannot be empty.`) =>
  z
    .string({ error: `${what} must be text.` })
    .trim()
    .min(1, empty)
    .max(max, `${what} has at most ${max} characters.`)
    .refine((s) => !hasControlCharacters(s), CONTROL_CHARACTERS_MESSAGE);

/** A person's nickname, wherever one is typed (guest identity, sessions, drawing rooms). */
export const NICKNAME_MAX = 24;
/** What a nickname an operator hid is shown as (moderation); nobody can take it as theirs. */
export const HIDDEN_NICKNAME = '(hidden)';
export const NicknameSchema = TextSchema('A nickname', NICKNAME_MAX, 'Choose a nickname.').refine(
  (s) => s.toLowerCase() !== HIDDEN_NICKNAME,
  `"${HIDDEN_NICKNAME}" is how hidden nicknames are shown; choose another one.`,
);
