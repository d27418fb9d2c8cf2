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
import { z } from 'zod';

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

/** A garment class, 0-9 (lib/classes names them). */
export const ClassIndexSchema = z
  .number({ error: 'The label must be a class number 0-9.' })
  .int('The label must be a whole class number 0-9.')
  .min(0, 'The label must be a class number 0-9.')
  .max(9, 'The label must be a class number 0-9.');

/** A person's nickname, wherever one is typed. */
export const NicknameSchema = z.string().trim().min(1, 'Choose a nickname.').max(24, 'A nickname has at most 24 characters.');
