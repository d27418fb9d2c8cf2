/**
 * A viewer's copy of one session, on the client side: the join reply's snapshot merged with the
 * live events by sequence number (live events that arrive before the reply wait for it; nothing is
 * applied twice or out of order) and the viewer list kept by presence version. Pure and free of
 * Node APIs: the session page, the tests and the realtime benchmark all use it.
 */
import { applyPresence } from './presence';
import type {
  PresenceChange,
  RequestData,
  SessionBatchEvent,
  SessionDetail,
  SessionEvent,
  SessionState,
  SessionSummary,
  SessionViewer,
} from '../protocol';

type EpochEvent = Extract<SessionEvent, { type: 'epoch' }>;
type StartedEvent = Extract<SessionEvent, { type: 'started' }>;
export type JoinReply = RequestData<'session:join'>;

/**
 * The epoch a viewer looks at: the one picked (an index into `epochs`), or the latest when none is
 * picked or the pick is past the end (a run taking over redoes epochs, so the list can shrink).
 */
export function shownEpoch(selected: number | null, count: number): number | null {
  if (count === 0) return null;
  return selected !== null && selected >= 0 && selected < count ? selected : count - 1;
}

/**
 * How far the run is: the newest batch's or epoch's figure (a run taking over starts lower than
 * where the cut-short one got), the joined session's before any arrives.
 */
export function currentProgress(
  timeline: Pick<SessionTimeline, 'batches' | 'epochs'>,
  joined: number,
): { progress: number; etaSeconds: number | null } {
  const batch = timeline.batches.at(-1);
  const epoch = timeline.epochs.at(-1);
  const latest = batch && epoch ? (batch.seq > epoch.seq ? batch : epoch) : (batch ?? epoch);
  return latest ? { progress: latest.progress, etaSeconds: latest.etaSeconds } : { progress: joined, etaSeconds: null };
}

export class SessionTimeline {
  detail: SessionDetail | null = null;
  you: JoinReply['you'] | null = null;
  /** Every applied event, in sequence order. */
  events: SessionEvent[] = [];
  batches: SessionBatchEvent[] = [];
  epochs: EpochEvent[] = [];
  started: StartedEvent | null = null;
  state: SessionState | null = null;
  message: string | null = null;
  /** Why the trained model has no model version (its save or registration failed), else null. */
  saveError: string | null = null;
  lastSeq = 0;
  /** The viewers this page knows by name (a join names up to 100; presence changes add and remove). */
  viewers: SessionViewer[] = [];
  /** How many watch, from the join and every presence push. */
  viewerCount = 0;
  presenceVersion = 0;
  /** Bumped on every change, so a UI can tell cheaply that it must redraw. */
  version = 0;
  private joining = true;
  private buffered: SessionEvent[] = [];
  private bufferedPresence: PresenceChange[] = [];

  /** Call before (re)sending session:join: live events wait until its reply is applied. */
  beginJoin(): void {
    this.joining = true;
  }

  /**
   * A summary pushed to the session's page (`sessions:summary`, sent when a moderator hid the
   * host's nickname or showed it again, and when its place in the training queue moved): its host
   * name and queue place replace the joined ones. State and progress keep following the numbered
   * events, which a summary may be older or newer than.
   */
  applySummary(summary: SessionSummary): void {
    const d = this.detail;
    if (!d || summary.id !== d.id) return;
    if (summary.hostNickname === d.hostNickname && summary.queuePosition === d.queuePosition) return;
    this.detail = { ...d, hostNickname: summary.hostNickname, queuePosition: summary.queuePosition };
    this.version++;
  }

  applyJoin(reply: JoinReply): void {
    if (reply.lastSeq < this.lastSeq) this.reset(); // the server has another history (it restarted)
    this.detail = reply.session;
    this.you = reply.you;
    for (const e of reply.events) this.add(e);
    // The detail is as of now; the events may be older, so the detail's state wins.
    this.state = reply.session.state;
    this.message = reply.session.message;
    this.viewers = reply.session.viewerList;
    this.viewerCount = reply.session.viewers;
    this.presenceVersion = reply.session.presenceVersion;
    this.joining = false;
    const waiting = this.buffered;
    this.buffered = [];
    for (const e of waiting) this.add(e);
    this.applyPresence(this.bufferedPresence);
    this.bufferedPresence = [];
    this.version++;
  }

  /** A live `session:event` or `session:batch`; false when it was already known. */
  live(event: SessionEvent): boolean {
    if (this.joining) {
      this.buffered.push(event);
      return true;
    }
    const added = this.add(event);
    if (added) this.version++;
    return added;
  }

  presence(changes: PresenceChange[], viewerCount?: number): void {
    if (viewerCount !== undefined) this.viewerCount = viewerCount;
    if (this.joining) {
      this.bufferedPresence.push(...changes);
      return;
    }
    this.applyPresence(changes);
    this.version++;
  }

  /** The events that must arrive (everything but batch metrics), in order. */
  reliableEvents(): SessionEvent[] {
    return this.events.filter((e) => e.type !== 'batch');
  }

  private applyPresence(changes: PresenceChange[]): void {
    if (!changes.length) return;
    const next = applyPresence(this.viewers, this.presenceVersion, changes);
    this.viewers = next.list;
    this.presenceVersion = next.version;
  }

  private add(e: SessionEvent): boolean {
    if (e.seq <= this.lastSeq) return false;
    this.lastSeq = e.seq;
    this.events.push(e);
    switch (e.type) {
      case 'state':
        this.state = e.state;
        this.message = e.message;
        // Out of the queue: no place in it (the server keeps none either).
        if (e.state !== 'queued' && this.detail?.queuePosition != null)
          this.detail = { ...this.detail, queuePosition: null };
        break;
      case 'started':
        this.started = e;
        // A run taking over resumes at its last checkpoint and redoes the epochs after it: the
        // charts show that run's batches and epochs, not the cut-short attempt's beside them.
        this.batches = this.batches.filter((b) => b.epoch < e.startEpoch);
        this.epochs = this.epochs.filter((x) => x.epoch < e.startEpoch);
        break;
      case 'batch':
        this.batches.push(e);
        break;
      case 'epoch':
        this.epochs.push(e);
        break;
      case 'saved':
        if (this.detail) this.detail = { ...this.detail, modelVersionId: e.modelVersionId };
        this.saveError = e.modelVersionId === null ? e.error : null;
        break;
      case 'lr':
        break;
    }
    return true;
  }

  private reset(): void {
    this.events = [];
    this.batches = [];
    this.epochs = [];
    this.started = null;
    this.saveError = null;
    this.lastSeq = 0;
  }
}
