/**
 * Runs one session's training run to its end, wherever it runs: in the web process's own slots
 * (slots.ts) or in a trainer process that took the session's job (server/cluster/trainer.ts). The
 * run's events become the session's; the session's events steer the run (the host's pause,
 * resume, stop and learning rate arrive as the session's state and lr events, from whichever
 * process the host is connected to); each epoch is stored as it comes; at the end the model is
 * registered and assessed and the session completes, or fails with the run's reason.
 */
import type { TrainingResult, TrainingRun } from '../../ml/training/run';
import type { SessionEvent } from '../../../lib/protocol';
import type { SessionAssessor } from './assessor';
import type { SessionStore } from './records';
import type { TrainingSession } from './session';

export interface RunnerDeps {
  store?: SessionStore;
  assessor?: SessionAssessor;
  /** True once the process is shutting down: a run it cut short is not recorded as failed. */
  closing(): boolean;
  /** Stores the session's row (tracked by the caller, so shutdown waits for it). */
  save(session: TrainingSession): Promise<void>;
}

/** Resolves when the run has ended and what follows (model, final state, row) is done. */
export async function runSession(session: TrainingSession, run: TrainingRun, deps: RunnerDeps): Promise<void> {
  const follow = (e: SessionEvent): void => {
    if (e.type === 'state') {
      if (e.state === 'paused') run.pause();
      else if (e.state === 'training') run.resume();
      else if (e.state === 'stopped') run.stop();
    } else if (e.type === 'lr') run.setLearningRate(e.lr);
    // Each epoch is stored as it comes, so a restart loses at most the epoch in progress.
    else if (e.type === 'epoch') void deps.save(session);
  };
  // A run taking over a session (its trainer died) starts on the schedule's rate: the host's
  // newest rate so far applies to it too, not only the ones that come after.
  const lr = [...session.log.reliableEvents()].reverse().find((e) => e.type === 'lr');
  if (lr?.type === 'lr') run.setLearningRate(lr.lr);
  session.on('event', follow);
  session.attachRun(run);
  let result: TrainingResult | null = null;
  let failure: string | null = null;
  try {
    result = await run.done;
  } catch (err) {
    failure = sentence(err instanceof Error ? err.message : String(err));
  } finally {
    session.off('event', follow);
  }
  if (deps.closing()) return;
  const settle = (p: Promise<unknown>) =>
    p.catch((err: unknown) => console.error(`[sessions] ${session.id}:`, err instanceof Error ? err.message : err));
  if (failure !== null) {
    if (!session.ended) await settle(session.transition('fail', null, failure));
  } else if (result?.reason === 'completed' && !session.ended) {
    await saveModel(session, result, deps);
    await settle(session.transition('complete', null));
  }
  await deps.save(session);
}

async function saveModel(session: TrainingSession, result: TrainingResult, deps: RunnerDeps): Promise<void> {
  const outDir = result.outDir ?? null;
  if (!outDir || !deps.store) {
    await session.recordSaved(null, outDir, outDir ? null : 'The run saved no model.');
    return;
  }
  try {
    const id = await deps.store.registerModel(session, outDir, result.log);
    await session.recordSaved(id, outDir, null);
    // Not awaited: the assessment takes seconds and the session does not wait for it.
    void deps.assessor?.assess({
      sessionId: session.id,
      kind: session.config.kind,
      modelDir: outDir,
      modelVersionId: id,
    });
  } catch (err) {
    console.error(`[sessions] could not register the model of ${session.id}:`, err);
    await session.recordSaved(null, outDir, 'The model was saved but could not be registered in the database.');
  }
}

/** A run's failure as viewers read it: "the loss became NaN ..." -> "The loss became NaN ...". */
export function sentence(message: string): string {
  const trimmed = message.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? '' : '.');
}
