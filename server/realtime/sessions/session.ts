/**
 * One live training session: a training run plus a room. It owns the session's state (through the
 * state machine), its numbered event history, who is watching, and the progress and ETA derived
 * from the run's events. It does not decide when or where to train (the registry's training slots
 * do) and knows no sockets: whatever it produces goes to its listener, which broadcasts.
 *
 * Everything a session says is an event in its log, and its state is what its events say. An event
 * is numbered by the session's feed (feed.ts): in one process the feed numbers it at once; with
 * several machines the shared log in Redis numbers it and every process holding the session
 * receives it (receive()). So the host's controls, the trainer's progress and every viewer's
 * page see one order, whichever process acted.
 */
import { EventEmitter } from 'node:events';
import { UserFacingError } from '../../errors';
import type { TrainingRun } from '../../ml/training/run';
import type { TrainingEvent } from '../../ml/training/events';
import { Presence, type PresenceChange } from '../../../lib/sessions/presence';
import type {
  SessionConfig,
  SessionDetail,
  SessionEvaluation,
  SessionEvent,
  SessionState,
  SessionSummary,
  SessionViewer,
} from '../../../lib/protocol';
import { SessionEventLog, type UnnumberedEvent } from './eventLog';
import { localFeed, type SessionFeed, type SharedSessionRecord } from './feed';
import { isHost, publicViewerId } from './identity';
import { isTerminal, nextState, type SessionAction } from '../../../lib/sessions/stateMachine';

/**
 * Viewers named in a join reply (the host first); the count is exact and later joins and leaves
 * arrive as presence changes. Every join sending the whole list made a crowd's joins quadratic:
 * 4,000 viewers joining took minutes (bench:realtime), for a page that shows 24 names.
 */
export const VIEWER_LIST_LIMIT = 100;
export interface SessionListener {
  /** A new event (batch metrics may be sent volatile; everything else must arrive). */
  event(session: TrainingSession, event: SessionEvent): void;
  presence(session: TrainingSession, changes: PresenceChange<SessionViewer>[]): void;
  /**
   * The summary changed; `urgent` for state changes, otherwise it may be throttled. `queueMoved`:
   * its place in the training queue changed, which no session event carries (the session's page
   * needs the summary too).
   */
  changed(session: TrainingSession, urgent: boolean, queueMoved?: boolean): void;
}

export interface SessionInit {
  id: string;
  config: SessionConfig;
  hostIdentity: string;
  hostNickname: string;
  createdAt?: Date;
  /** CNN sessions: the test images the per-epoch predictions refer to (PNG data URLs). */
  probeImages?: string[];
}

/** A finished session as stored: enough to rebuild its page after a restart. */
export interface StoredSession extends SessionInit {
  state: SessionState;
  message: string | null;
  history: SessionEvent[];
  modelVersionId: number | null;
  probeImages: string[];
}

export class TrainingSession extends EventEmitter<{ event: [SessionEvent] }> {
  readonly id: string;
  readonly config: SessionConfig;
  readonly hostIdentity: string;
  readonly hostNickname: string;
  readonly createdAt: Date;
  readonly log: SessionEventLog;
  readonly presence: Presence<SessionViewer>;
  private currentState: SessionState = 'waiting';
  message: string | null = null;
  queuePosition: number | null = null;
  modelVersionId: number | null = null;
  probeImages: string[] = [];
  /** The newest snapshot of the weights (VAE: a folder generation loads) and the epochs done when written. */
  snapshot: { epoch: number; dir: string } | null = null;
  /** Trainable parameters, from the run's `started` event (for the model version). */
  params = 0;
  private epochsDone = 0;
  private progress = 0;
  private etaSeconds: number | null = null;
  private headline: SessionSummary['headline'] = null;
  private stepsPerEpoch = 0;
  /** Wall time spent training (not paused), for the ETA. */
  private activeMs = 0;
  private activeSince: number | null = null;

  constructor(
    init: SessionInit,
    private readonly listener: SessionListener,
    private readonly feed: SessionFeed = localFeed,
    log = new SessionEventLog(),
  ) {
    super();
    this.id = init.id;
    this.config = init.config;
    this.hostIdentity = init.hostIdentity;
    this.hostNickname = init.hostNickname;
    this.createdAt = init.createdAt ?? new Date();
    this.log = log;
    this.probeImages = init.probeImages ?? [];
    this.presence = new Presence<SessionViewer>((changes) => this.listener.presence(this, changes));
  }

  /** A stored (ended) session, read-only: its history replays, nothing trains. */
  static restore(stored: StoredSession, listener: SessionListener): TrainingSession {
    const session = new TrainingSession(stored, listener, localFeed, SessionEventLog.fromHistory(stored.history));
    for (const e of session.log.since(null)) session.absorb(e);
    session.currentState = stored.state;
    session.message = stored.message;
    session.modelVersionId = stored.modelVersionId;
    return session;
  }

  /** A session of the shared log (several machines), as far as its events go; later ones arrive by receive(). */
  static shared(record: SharedSessionRecord, listener: SessionListener, feed: SessionFeed): TrainingSession {
    const session = new TrainingSession(record.init, listener, feed, SessionEventLog.fromHistory(record.history));
    for (const e of session.log.since(null)) session.absorb(e);
    return session;
  }

  get state(): SessionState {
    return this.currentState;
  }

  get ended(): boolean {
    return isTerminal(this.currentState);
  }

  /**
   * Moves the state machine: refuses with the state machine's sentence, or when another process
   * changed the state first; resolves with the new state once the feed has numbered it.
   */
  async transition(action: SessionAction, by: string | null, message: string | null = null): Promise<SessionState> {
    const from = this.currentState;
    const next = nextState(from, action);
    const appended = await this.feed.append(this, { type: 'state', state: next, by, message }, from);
    if (!appended) {
      // Another process acted first (several machines): say what the state is now.
      throw new UserFacingError(`The session changed meanwhile (it is ${this.currentState} now); try again.`);
    }
    return next;
  }

  /** Turns the run's events into session events. */
  attachRun(run: TrainingRun): void {
    run.on('event', (e) => this.onTrainingEvent(e));
  }

  setQueuePosition(position: number | null): void {
    if (this.queuePosition === position) return;
    this.queuePosition = position;
    this.listener.changed(this, true, true);
  }

  recordLearningRate(lr: number, by: string): Promise<unknown> {
    return this.publish({ type: 'lr', lr, by });
  }

  recordSaved(modelVersionId: number | null, modelPath: string | null, error: string | null): Promise<unknown> {
    // Set here too, not only when the event comes back: with several machines it may come back
    // after the runner has stored the session's final row.
    this.modelVersionId = modelVersionId;
    return this.publish({ type: 'saved', modelVersionId, modelPath, error });
  }

  /**
   * An event numbered by the feed: kept, applied, sent to the listener and to this process's
   * subscribers (a run's controls follow the session's state this way). A repeat is ignored;
   * false when events before it are missing (the caller reloads the session).
   */
  receive(event: SessionEvent): boolean {
    if (event.seq <= this.log.lastSeq) return true;
    if (!this.log.accept(event)) return false;
    this.absorb(event);
    this.listener.event(this, event);
    this.emit('event', event);
    if (event.type === 'state' || event.type === 'epoch') this.listener.changed(this, true);
    else if (event.type === 'batch') this.listener.changed(this, false);
    return true;
  }

  viewerFor(identity: string, nickname: string): SessionViewer {
    return { id: publicViewerId(this.id, identity), nickname, host: isHost(this, identity) };
  }

  summary(): SessionSummary {
    return {
      id: this.id,
      name: this.config.name,
      kind: this.config.kind,
      state: this.currentState,
      hostNickname: this.hostNickname,
      viewers: this.presence.size,
      epochs: this.config.epochs,
      epochsDone: this.epochsDone,
      progress: this.progress,
      etaSeconds: this.ended ? null : this.etaSeconds,
      queuePosition: this.queuePosition,
      headline: this.headline,
      message: this.message,
      createdAt: this.createdAt.toISOString(),
    };
  }

  detail(): SessionDetail {
    return {
      ...this.summary(),
      config: this.config,
      viewerList: this.presence.sample(VIEWER_LIST_LIMIT, (v) => v.host),
      presenceVersion: this.presence.version,
      probeImages: this.probeImages,
      modelVersionId: this.modelVersionId,
    };
  }

  close(): void {
    this.presence.close();
  }

  private onTrainingEvent(e: TrainingEvent): void {
    switch (e.type) {
      case 'started':
        this.params = e.params;
        this.publish({
          type: 'started',
          backend: e.backend,
          params: e.params,
          epochs: e.epochs,
          startEpoch: e.startEpoch,
          stepsPerEpoch: e.stepsPerEpoch,
          trainImages: e.trainImages,
          testImages: e.testImages,
        });
        if (this.currentState === 'training') this.activeSince = Date.now();
        return;
      case 'batch': {
        const progress = (e.epoch * e.stepsPerEpoch + e.step + 1) / (this.config.epochs * e.stepsPerEpoch);
        const { epoch, step, stepsPerEpoch, loss, accuracy, imagesPerSec, lr } = e;
        this.publish({
          type: 'batch',
          epoch,
          step,
          stepsPerEpoch,
          loss,
          accuracy,
          imagesPerSec,
          lr,
          progress,
          etaSeconds: this.eta(progress),
        });
        return;
      }
      case 'epoch': {
        const progress = (e.epoch + 1) / this.config.epochs;
        const { epoch, seconds, imagesPerSec, lr, trainLoss, trainAccuracy } = e;
        const evaluation = e.evaluation as SessionEvaluation;
        this.publish({
          type: 'epoch',
          epoch,
          seconds,
          imagesPerSec,
          lr,
          trainLoss,
          trainAccuracy,
          evaluation,
          progress,
          etaSeconds: this.eta(progress),
        });
        return;
      }
      case 'snapshot':
        this.snapshot = { epoch: e.epoch + 1, dir: e.dir };
        return;
      default:
        // paused/resumed confirm a command whose state change was already broadcast; checkpoint,
        // finished and failed are handled where the run is awaited (registry).
        return;
    }
  }

  /** Hands an event to the feed, which numbers it and brings it back through receive(). */
  private publish(event: UnnumberedEvent): Promise<SessionEvent | null> {
    const appended = this.feed.append(this, event);
    appended.catch((err: unknown) =>
      console.error(`[sessions] ${this.id}: an event was lost:`, err instanceof Error ? err.message : err),
    );
    return appended;
  }

  /** The figures a summary shows, derived from an event. */
  private absorb(e: SessionEvent): void {
    if (e.type === 'state') this.enter(e.state, e.message);
    if (e.type === 'started') this.stepsPerEpoch = e.stepsPerEpoch;
    if (e.type === 'batch' || e.type === 'epoch') {
      this.progress = e.progress;
      this.etaSeconds = e.etaSeconds;
    }
    if (e.type === 'epoch') {
      this.epochsDone = e.epoch + 1;
      this.headline = {
        name: e.evaluation.headlineName,
        value: e.evaluation.headline,
        unit: e.evaluation.headlineUnit ?? null,
      };
    }
    if (e.type === 'saved') this.modelVersionId = e.modelVersionId;
  }

  /** The state an event announced, with the time spent training so far (for the ETA). */
  private enter(next: SessionState, message: string | null): void {
    const now = Date.now();
    if (this.currentState === 'training' && this.activeSince !== null) {
      this.activeMs += now - this.activeSince;
      this.activeSince = null;
    }
    if (next === 'training' && this.stepsPerEpoch > 0) this.activeSince = now;
    this.currentState = next;
    if (next !== 'queued') this.queuePosition = null;
    this.message = message; // it explains the current state (queued, failed), so it goes with it
  }

  /** Seconds left, from the training time so far (pauses excluded). */
  private eta(progress: number): number | null {
    const activeMs = this.activeMs + (this.activeSince !== null ? Date.now() - this.activeSince : 0);
    if (progress <= 0 || activeMs < 1000) return null;
    return Math.max(0, Math.round((activeMs / 1000 / progress) * (1 - progress)));
  }
}
