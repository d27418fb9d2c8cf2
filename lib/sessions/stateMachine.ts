/**
 * The training session's state machine, as one table: which action leads from which state to
 * which, and the sentence a refused action gets. Host actions (start, pause, resume, stop) and the
 * server's own (admit from the queue, complete, fail) both go through `nextState`.
 *
 *   waiting --start--> training | queued --admit--> training <--pause/resume--> paused
 *   training | paused --complete--> finished, --fail--> failed; any live state --stop--> stopped
 */
import { UserFacingError } from '../errors';
import type { SessionState } from '../protocol';

export type HostAction = 'start' | 'pause' | 'resume' | 'stop';
export type ServerAction = 'queue' | 'admit' | 'complete' | 'fail';
export type SessionAction = HostAction | ServerAction;

const TRANSITIONS: Record<SessionState, Partial<Record<SessionAction, SessionState>>> = {
  waiting: { start: 'training', queue: 'queued', stop: 'stopped', fail: 'failed' },
  queued: { admit: 'training', stop: 'stopped', fail: 'failed' },
  training: { pause: 'paused', stop: 'stopped', complete: 'finished', fail: 'failed' },
  paused: { resume: 'training', stop: 'stopped', complete: 'finished', fail: 'failed' },
  finished: {},
  stopped: {},
  failed: {},
};

export const TERMINAL_STATES: readonly SessionState[] = ['finished', 'stopped', 'failed'];
export const isTerminal = (state: SessionState): boolean => TERMINAL_STATES.includes(state);

/** Whether `action` is allowed in `state` (the page greys out the others). */
export const canDo = (state: SessionState, action: SessionAction): boolean => TRANSITIONS[state][action] !== undefined;

/** The state `action` leads to; a refused action throws its reason as one sentence. */
export function nextState(state: SessionState, action: SessionAction): SessionState {
  const next = TRANSITIONS[state][action];
  if (next === undefined) throw new UserFacingError(refusal(state, action));
  return next;
}

function refusal(state: SessionState, action: SessionAction): string {
  if (state === 'finished') return 'This session has finished; create a new session to train again.';
  if (state === 'stopped') return 'This session was stopped; create a new session to train again.';
  if (state === 'failed')
    return 'This session failed; create a new session (perhaps with a lower learning rate) to train again.';
  switch (action) {
    case 'start':
      if (state === 'queued') return 'This session is already queued; it starts training when a training slot frees.';
      if (state === 'paused') return 'This session is paused: resume it instead of starting it.';
      return 'This session is already training.';
    case 'pause':
      if (state === 'paused') return 'This session is already paused.';
      return 'This session is not training yet, so there is nothing to pause.';
    case 'resume':
      if (state === 'training') return 'This session is training, not paused.';
      return 'This session is not paused: start it first.';
    default:
      return `A session cannot ${action} while it is ${state}.`;
  }
}
