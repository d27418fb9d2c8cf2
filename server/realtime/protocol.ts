/**
 * The Socket.IO wire protocol: every event between browser and server, declared once with its Zod
 * schema and its delivery. Server handlers and app/ components both import this module, so it must
 * stay free of Node-only imports (zod only).
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

// ---- shapes ---------------------------------------------------------------------------------

export const BackendStatusSchema = z.object({
  /** The TensorFlow.js backend in use; null until the backend has been chosen. */
  name: z.string().nullable(),
  /** For wasm: whether WebAssembly SIMD is on (several times faster). */
  simd: z.boolean().optional(),
  /** Every backend tried at start, in order, with why it was skipped. */
  tried: z.array(
    z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() }),
  ),
});

export const ModelStatusSchema = z.object({
  loaded: z.boolean(),
  /** Folder the model was loaded from (relative to the project), null when none is loaded. */
  path: z.string().nullable(),
  /** Number of trainable parameters, null when no model is loaded. */
  params: z.number().int().nonnegative().nullable(),
  version: z.string().optional(),
});

export const DatabaseStatusSchema = z.object({
  ok: z.boolean(),
  kind: z.enum(['postgresql', 'pglite']),
  /** Where it is, without a password (e.g. "PostgreSQL at 127.0.0.1:5432/playground"). */
  where: z.string().optional(),
  error: z.string().optional(),
});

export const StatusSchema = z.object({
  backend: BackendStatusSchema,
  model: ModelStatusSchema,
  database: DatabaseStatusSchema,
  uptimeSeconds: z.number().nonnegative(),
  /** ISO 8601 time on the server when this status was taken. */
  serverTime: z.string(),
});

export type BackendStatus = z.infer<typeof BackendStatusSchema>;
export type ModelStatus = z.infer<typeof ModelStatusSchema>;
export type DatabaseStatus = z.infer<typeof DatabaseStatusSchema>;
export type Status = z.infer<typeof StatusSchema>;

/** The answer to every `ack` request. */
export type Reply<T> = { ok: true; data: T } | { ok: false; error: string };

// ---- events ---------------------------------------------------------------------------------

/** Client -> server requests. `payload` is parsed at the edge; `reply` is what `data` holds. */
export const clientRequests = {
  /** The current status of the playground; answered from the server's last known state. */
  'status:get': {
    delivery: 'ack',
    payload: z.object({}).strict(),
    reply: StatusSchema,
  },
} as const satisfies Record<string, { delivery: 'ack'; payload: z.ZodType; reply: z.ZodType }>;

/** Server -> client pushes. */
export const serverPushes = {
  /** Sent to every client when the status changes (not for the ticking clock fields). */
  status: { delivery: 'reliable', payload: StatusSchema },
} as const satisfies Record<string, { delivery: Exclude<Delivery, 'ack'>; payload: z.ZodType }>;

export type RequestName = keyof typeof clientRequests;
export type RequestPayload<N extends RequestName> = z.input<(typeof clientRequests)[N]['payload']>;
export type RequestData<N extends RequestName> = z.output<(typeof clientRequests)[N]['reply']>;
export type PushName = keyof typeof serverPushes;
export type PushPayload<N extends PushName> = z.output<(typeof serverPushes)[N]['payload']>;

/** Socket.IO's typed-event maps, for `Server<...>` on the server and `Socket<...>` in app/. */
export type ClientToServerEvents = {
  [N in RequestName]: (payload: RequestPayload<N>, ack: (reply: Reply<RequestData<N>>) => void) => void;
};
export type ServerToClientEvents = {
  [N in PushName]: (payload: PushPayload<N>) => void;
};
