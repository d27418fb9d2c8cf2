/**
 * The Socket.IO wire protocol: every event between browser and server, declared once with its Zod
 * schema and its delivery (see common.ts), one module per feature. Server handlers and app/ pages
 * both import this folder, so it stays free of Node-only imports (zod only; tests/architecture
 * checks it).
 */
import type { z } from './zod';
import type { Reply } from './common';
import { assessmentRequests } from './assessments';
import { collectionRequests } from './collections';
import { modelRequests } from './models';
import { drawingPushes, drawingRequests } from './drawing';
import { sessionPushes, sessionRequests } from './sessions';
import { statusPushes, statusRequests } from './status';
import { sessionVotingRequests, votingPushes, votingRequests } from './voting';
import { moderationPushes, moderationRequests } from './moderation';

export * from './common';
export * from './status';
export * from './drawing';
export * from './sessions';
export * from './voting';
export * from './collections';
export * from './assessments';
export * from './models';
export * from './moderation';

/** Client -> server requests. `payload` is parsed at the edge; `reply` is what `data` holds. */
export const clientRequests = {
  ...statusRequests,
  ...drawingRequests,
  ...sessionRequests,
  ...votingRequests,
  ...sessionVotingRequests,
  ...collectionRequests,
  ...assessmentRequests,
  ...modelRequests,
  ...moderationRequests,
} as const;

/** Server -> client pushes. */
export const serverPushes = {
  ...statusPushes,
  ...drawingPushes,
  ...sessionPushes,
  ...votingPushes,
  ...moderationPushes,
} as const;

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
