/**
 * Back-pressure: a client that stops reading makes the server queue everything sent to it (tallies,
 * session events, replies). Each connection's unsent bytes (engine.io's write buffer plus the
 * WebSocket's) are counted as packets are created. When more than `maxBytes` were already waiting
 * and the connection has not taken any of it for `stallMs`, it is cut at once (its buffers
 * dropped) and the reason logged, so 50 such clients cannot grow the heap without bound. One big
 * reply (a session's history) to a client that reads, even slowly, is not a reason.
 */
import type { PlaygroundServer, PlaygroundSocket } from '../sockets';
import { addressOf } from './actor';

interface EnginePacket {
  data?: unknown;
}

interface EngineConnection {
  transport: { socket?: { bufferedAmount?: number; terminate?: () => void }; on(event: 'drain', fn: () => void): void };
  on(event: 'packetCreate', fn: (packet: EnginePacket) => void): void;
  on(event: 'upgrade', fn: () => void): void;
  on(event: 'flush', fn: () => void): void;
  close(discard?: boolean): void;
}

const sizeOf = (packet: EnginePacket): number => {
  const d = packet.data;
  if (typeof d === 'string') return d.length + 1;
  if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) return d.byteLength + 1;
  return 16;
};

/** Cuts connections whose unsent data exceeds `maxBytes`; `onCut` hears about each (tests, logs). */
export function limitSendBuffers(
  io: PlaygroundServer,
  maxBytes: number,
  stallMs: number,
  onCut: (socket: PlaygroundSocket, bytes: number) => void = logCut,
): () => void {
  const onConnection = (socket: PlaygroundSocket) => {
    const conn = socket.conn as unknown as EngineConnection;
    let queued = 0; // bytes in engine.io's write buffer, not yet handed to the transport
    let cut = false;
    let progressAt = Date.now(); // when the transport last finished handing data to the network
    const watchTransport = () => conn.transport.on('drain', () => (progressAt = Date.now()));
    watchTransport();
    conn.on('upgrade', watchTransport);
    conn.on('flush', () => {
      queued = 0;
    });
    conn.on('packetCreate', (packet) => {
      if (cut) return;
      const bytes = queued + (conn.transport.socket?.bufferedAmount ?? 0);
      queued += sizeOf(packet);
      if (bytes <= maxBytes || Date.now() - progressAt < stallMs) return;
      cut = true;
      onCut(socket, bytes);
      // A close frame would wait behind the unread data; drop the connection and its buffers now.
      conn.transport.socket?.terminate?.();
      conn.close(true);
    });
  };
  io.on('connection', onConnection);
  return () => io.off('connection', onConnection);
}

function logCut(socket: PlaygroundSocket, bytes: number): void {
  console.warn(
    `[realtime] disconnected ${socket.id} (${addressOf(socket)}): it stopped reading, ${bytes} bytes were waiting to be sent.`,
  );
}
