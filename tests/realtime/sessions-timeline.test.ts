/**
 * A viewer's copy of a session (lib/sessions/timeline.ts) when a run takes over from one whose
 * trainer died: the new run resumes at the last checkpoint and redoes the epochs after it, so the
 * charts show its batches and epochs, not the cut-short attempt's beside them.
 */
import { describe, expect, it } from 'vitest';
import type { SessionDetail, SessionEvent } from '../../lib/protocol';
import { currentProgress, type JoinReply, SessionTimeline, shownEpoch } from '../../lib/sessions/timeline';

let seq = 0;
const at = () => ({ seq: ++seq, at: 1_000 + seq });

const started = (startEpoch: number): SessionEvent => ({
  type: 'started',
  ...at(),
  backend: 'cpu',
  params: 100,
  epochs: 3,
  startEpoch,
  stepsPerEpoch: 2,
  trainImages: 64,
  testImages: 32,
});

const batch = (epoch: number, step: number, loss: number): SessionEvent => ({
  type: 'batch',
  ...at(),
  epoch,
  step,
  stepsPerEpoch: 2,
  loss,
  imagesPerSec: 100,
  lr: 0.001,
  progress: (epoch * 2 + step + 1) / 6,
  etaSeconds: null,
});

const epochDone = (epoch: number, headline: number): SessionEvent => ({
  type: 'epoch',
  ...at(),
  epoch,
  seconds: 1,
  imagesPerSec: 100,
  lr: 0.001,
  trainLoss: 1,
  evaluation: { headline, headlineName: 'test accuracy' },
  progress: (epoch + 1) / 3,
  etaSeconds: null,
});

function joined(events: SessionEvent[]): SessionTimeline {
  const timeline = new SessionTimeline();
  const session = { state: 'training', message: null, viewerList: [], viewers: 0, presenceVersion: 0 };
  timeline.applyJoin({
    session: session as unknown as SessionDetail,
    you: { viewerId: 'v', host: false },
    events,
    lastSeq: events.at(-1)?.seq ?? 0,
  } satisfies JoinReply);
  return timeline;
}

describe('a run taking over a session', () => {
  it("replaces the cut-short attempt's batches and epochs from the epoch it resumes at", () => {
    // Epoch 0 done and checkpointed; epoch 1 published too, but its checkpoint was not written
    // when the trainer died; the next run resumes after epoch 0.
    const before = [
      started(0),
      batch(0, 0, 2),
      batch(0, 1, 1.5),
      epochDone(0, 0.5),
      batch(1, 0, 1.2),
      batch(1, 1, 1.1),
      epochDone(1, 0.6),
      batch(2, 0, 1.0),
    ];
    const timeline = joined(before);
    timeline.live(started(1));
    timeline.live(batch(1, 0, 1.3));

    expect(timeline.epochs.map((e) => e.type === 'epoch' && e.epoch)).toEqual([0]);
    expect(timeline.batches.map((b) => [b.epoch, b.step, b.loss])).toEqual([
      [0, 0, 2],
      [0, 1, 1.5],
      [1, 0, 1.3],
    ]);
  });

  it('keeps everything when a run begins at the start (a replay of an ordinary session)', () => {
    const timeline = joined([started(0), batch(0, 0, 2), batch(0, 1, 1.5), epochDone(0, 0.5), batch(1, 0, 1.2)]);
    expect(timeline.epochs).toHaveLength(1);
    expect(timeline.batches).toHaveLength(3);
  });
});

describe('what the session page shows after a run took over', () => {
  it('shows the latest epoch when the picked one is past the end of the shortened list (the page crashed there)', () => {
    const timeline = joined([started(0), epochDone(0, 0.5), epochDone(1, 0.6), epochDone(2, 0.7)]);
    const picked = 2; // the viewer dragged the scrubber to epoch 3
    expect(timeline.epochs[shownEpoch(picked, timeline.epochs.length)!]).toBe(timeline.epochs[2]);
    timeline.live(started(1));
    expect(timeline.epochs).toHaveLength(1);
    expect(shownEpoch(picked, timeline.epochs.length)).toBe(0);
    expect(timeline.epochs[shownEpoch(picked, timeline.epochs.length)!]).toBeDefined();
    timeline.live(started(0));
    expect(shownEpoch(picked, timeline.epochs.length)).toBeNull();
    expect(shownEpoch(null, 3)).toBe(2);
    expect(shownEpoch(1, 3)).toBe(1);
  });

  it("follows the new run's progress, which starts lower than where the cut-short run got", () => {
    const timeline = joined([started(0), batch(0, 0, 2), batch(0, 1, 1.5), epochDone(0, 0.5), batch(1, 0, 1.2)]);
    expect(currentProgress(timeline, 0.5).progress).toBeCloseTo(3 / 6);
    timeline.live(started(0));
    timeline.live(batch(0, 0, 2.1));
    expect(currentProgress(timeline, 0.5).progress).toBeCloseTo(1 / 6);
    expect(currentProgress(joined([]), 0.4)).toEqual({ progress: 0.4, etaSeconds: null });
  });
});

describe('a trained model that could not be saved', () => {
  it('keeps the reason the save event gave, for the page to show', () => {
    const timeline = joined([started(0), epochDone(0, 0.5)]);
    expect(timeline.saveError).toBeNull();
    timeline.live({
      type: 'saved',
      ...at(),
      modelVersionId: null,
      modelPath: 'runs/x',
      error: 'The model was saved but could not be registered in the database.',
    });
    expect(timeline.saveError).toBe('The model was saved but could not be registered in the database.');
  });
});
