/**
 * How a session's events are numbered and reach every process that holds the session. In one
 * process (the default) the feed is this module's `localFeed`: it numbers an event in the session's
 * own log and hands it straight back (session.receive), before the call returns. With several
 * machines the feed is the shared log in Redis (server/cluster/sessionLog.ts): one atomic script
 * numbers the event there, and every web node and trainer receives it from the log's stream.
 * The session, the registry and the runner are the same code in both.
 */
import type { SessionEvent, SessionState } from '../../../lib/protocol';
import type { UnnumberedEvent } from './eventLog';
import type { SessionInit, TrainingSession } from './session';

export interface SessionFeed {
  /**
   * Numbers `event` of `session` and delivers it to every holder of the session; with `expect`,
   * only while the session's state is still `expect` (else resolves null and nothing is appended).
   */
  append(session: TrainingSession, event: UnnumberedEvent, expect?: SessionState): Promise<SessionEvent | null>;
}

export const localFeed: SessionFeed = {
  // No await before receive(): the state check, the number and the delivery happen in one go.
  async append(session, event, expect) {
    if (expect !== undefined && session.state !== expect) return null;
    const numbered = session.log.number(event);
    session.receive(numbered);
    return numbered;
  },
};

/** What a session of the shared log is made from: its settings and every event so far. */
export interface SharedSessionRecord {
  init: SessionInit;
  history: SessionEvent[];
}

/**
 * The shared log of several machines (server/cluster/sessionLog.ts): a feed whose sessions every
 * process can list, load and follow.
 */
export interface SharedSessionLog extends SessionFeed {
  /** Publishes a new session (state waiting, no events) to every process. */
  create(session: TrainingSession): Promise<void>;
  /** The newest sessions, newest first. */
  recent(limit: number): Promise<SharedSessionRecord[]>;
  load(id: string): Promise<SharedSessionRecord | null>;
  /** Events of `id` after `seq`, in order (to fill a gap). */
  since(id: string, seq: number): Promise<SessionEvent[]>;
  /**
   * From now on: every session created and every event appended, by any process, in order.
   * Resolves once following has begun (what came before is for `recent`/`load` to read).
   */
  follow(handlers: {
    created(record: SharedSessionRecord): void;
    event(sessionId: string, event: SessionEvent): void;
  }): Promise<void>;
  close(): Promise<void>;
}
