/**
 * The browser's one Socket.IO connection to the playground server, typed by the shared protocol,
 * and a `request` helper that turns an `ack` request into a promise of its `Reply`.
 */
import { io, type Socket } from 'socket.io-client';
import {
  SERVER_STARTING,
  type ClientToServerEvents,
  type Reply,
  type RequestData,
  type RequestName,
  type RequestPayload,
  type ServerToClientEvents,
} from '../../lib/protocol';

export type PlaygroundClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: PlaygroundClientSocket | undefined;

/**
 * The server's reason for refusing this page's connection (e.g. the page comes from another
 * origin), or null. Socket.IO does not retry a refusal, so without it a page would wait forever.
 */
let refusal: string | null = null;
const refusalListeners = new Set<() => void>();
const setRefusal = (reason: string | null) => {
  if (reason === refusal) return;
  refusal = reason;
  for (const l of refusalListeners) l();
};

/**
 * Whether the last attempt to connect failed on the network (server down, connection blocked):
 * Socket.IO keeps retrying by itself, silently, so pages that wait for the connection say so.
 */
let unreachable = false;
const setUnreachable = (value: boolean) => {
  if (value === unreachable) return;
  unreachable = value;
  for (const l of refusalListeners) l();
};

/** Whether the server cannot be reached right now (for useSyncExternalStore); false while connected. */
export function serverUnreachable(): boolean {
  return unreachable;
}

/** The current refusal (for useSyncExternalStore); null while connected or connecting. */
export function connectionRefusal(): string | null {
  return refusal;
}

/** Calls `listener` when the refusal or the reachability changes; returns what unsubscribes it. */
export function onRefusalChange(listener: () => void): () => void {
  refusalListeners.add(listener);
  return () => refusalListeners.delete(listener);
}

/** The shared connection (same origin as the page), opened on first use. */
export function getSocket(): PlaygroundClientSocket {
  if (!socket) {
    const s: PlaygroundClientSocket = io({ autoConnect: true });
    // A server that is still starting refuses the handshake; Socket.IO does not retry a refusal
    // by itself, so connect again (a page left open across a restart comes back on its own).
    // Any other refusal is final for this page: its reason is kept, for the notice and requests.
    s.on('connect_error', (err) => {
      if (s.active) return setUnreachable(true); // a network error: Socket.IO retries by itself
      if (err.message === SERVER_STARTING) setTimeout(() => s.connect(), 1000);
      else setRefusal(err.message);
    });
    s.on('connect', () => {
      setRefusal(null);
      setUnreachable(false);
    });
    socket = s;
  }
  return socket;
}

/** Sends an `ack` request; a lost connection or a slow server becomes `{ ok: false }` too. */
export async function request<N extends RequestName>(
  name: N,
  payload: RequestPayload<N>,
  timeoutMs = 5000,
): Promise<Reply<RequestData<N>>> {
  const s = getSocket();
  // Refused: the request would only wait for its timeout; the reason is the answer (also when the
  // refusal comes while the request waits for the connection).
  if (refusal !== null && !s.connected) return { ok: false, error: refusal };
  let stopWatching = () => {};
  const refused = new Promise<Reply<RequestData<N>>>((resolve) => {
    stopWatching = onRefusalChange(() => {
      if (refusal !== null) resolve({ ok: false, error: refusal });
    });
  });
  try {
    // Socket.IO's typed emitWithAck cannot follow a generic event name; the protocol types hold.
    const timed = s.timeout(timeoutMs) as unknown as {
      emitWithAck(ev: string, payload: unknown): Promise<Reply<RequestData<N>>>;
    };
    return await Promise.race([timed.emitWithAck(name, payload), refused]);
  } catch {
    return { ok: false, error: `No answer from the server within ${timeoutMs / 1000} s.` };
  } finally {
    stopWatching();
  }
}

/** Listeners for the server's pushes and for the connection's own events, by event name. */
export type SocketListeners = { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } & {
  connect?: () => void;
  disconnect?: () => void;
  connect_error?: () => void;
};

/**
 * Adds `listeners` to the shared connection; returns what removes them again (for an effect's
 * cleanup), so a page cannot add a listener and forget to remove it.
 */
export function listen(listeners: SocketListeners): () => void {
  // Socket.IO's typed on/off cannot follow an event name taken from a map; SocketListeners holds the types.
  const s = getSocket() as unknown as {
    on(event: string, listener: (...args: never[]) => void): void;
    off(event: string, listener: (...args: never[]) => void): void;
  };
  const entries = Object.entries(listeners).filter((e): e is [string, (...args: never[]) => void] => !!e[1]);
  for (const [event, listener] of entries) s.on(event, listener);
  return () => {
    for (const [event, listener] of entries) s.off(event, listener);
  };
}
