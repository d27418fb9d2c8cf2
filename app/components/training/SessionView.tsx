/**
 * The page of one training session: header with state and share link, progress with ETA, host
 * controls, live charts, the inspected epoch's evaluation (confusion matrix and probe guesses for
 * the CNN, reconstructions and samples for the VAE) with an epoch scrubber, and who is watching.
 */
'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { SessionEvent } from '../../../lib/protocol';
import { EpochScrubber } from './EpochScrubber';
import { EvaluationPanel } from './EvaluationPanel';
import { formatHeadline, KIND_LABEL } from './format';
import { HostControls } from './HostControls';
import { NicknameForm } from '../../identity';
import { VoteRoom } from '../../vote/VoteRoom';
import { CopyLink } from '../CopyLink';
import { PresenceList } from './PresenceList';
import { ProgressBar } from './ProgressBar';
import { StateBadge } from './StateBadge';
import { TrainingCharts } from './TrainingCharts';
import { useSession } from './useSession';
import { currentProgress, shownEpoch } from '../../../lib/sessions/timeline';

type EpochEvent = Extract<SessionEvent, { type: 'epoch' }>;

export function SessionView({ sessionId }: { sessionId: string }) {
  const { timeline: t, error, connection, control, setLearningRate } = useSession(sessionId);
  const [selected, setSelected] = useState<number | null>(null);

  const detail = t.detail;
  if (!detail) {
    return (
      <main className="mx-auto max-w-5xl px-4 pb-16 pt-8 sm:px-6">
        {error ? (
          <div role="alert" className="rounded-xl border border-rose-500/30 bg-rose-500/10 p-5 text-rose-200">
            <p>{error}</p>
            <Link href="/sessions" className="mt-3 inline-block text-sm text-indigo-300 hover:underline">
              ← All sessions
            </Link>
          </div>
        ) : (
          <p className="text-zinc-400">Joining the session…</p>
        )}
      </main>
    );
  }

  const state = t.state ?? detail.state;
  const lastBatch = t.batches.at(-1);
  const { progress, etaSeconds: eta } = currentProgress(t, detail.progress);
  // A pick past the end (the list shrank when a run took over) shows the latest epoch.
  const shown = shownEpoch(selected, t.epochs.length);
  const inspected: EpochEvent | undefined = shown === null ? undefined : t.epochs[shown];
  const currentLr = lastBatch?.lr ?? null;
  const isHost = t.you?.host ?? false;

  return (
    <main
      className="mx-auto max-w-5xl px-4 pb-16 pt-6 sm:px-6 sm:pt-8"
      data-testid="session-view"
      data-session-id={detail.id}
    >
      <nav className="mb-4 text-sm">
        <Link href="/sessions" className="text-indigo-300 hover:underline">
          ← All sessions
        </Link>
      </nav>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="truncate text-2xl font-semibold tracking-tight text-zinc-50 sm:text-3xl">{detail.name}</h1>
            <StateBadge state={state} queuePosition={detail.queuePosition} />
          </div>
          <p className="mt-1 text-sm text-zinc-400">
            {KIND_LABEL[detail.kind]} · {detail.config.epochs} {detail.config.epochs === 1 ? 'epoch' : 'epochs'} on{' '}
            {detail.config.trainLimit.toLocaleString('en')} images · batch {detail.config.batchSize} · lr{' '}
            {detail.config.lr} ({detail.config.lrSchedule})
            {detail.kind === 'vae' &&
              ` · β ${detail.config.beta}${detail.config.perceptual ? ' · perceptual loss' : ''}${detail.config.adversarial ? ' · adversarial critic' : ''}`}{' '}
            · hosted by <span className="text-amber-300">{detail.hostNickname}</span>
          </p>
        </div>
        <div className="flex items-center gap-3">
          <span
            data-testid="connection"
            data-connection={connection}
            className={`text-xs ${connection === 'live' ? 'text-emerald-400' : 'text-zinc-500'}`}
          >
            {connection === 'live' ? '● live' : connection === 'offline' ? '○ reconnecting…' : '○ connecting…'}
          </span>
          <div className="w-72 max-w-full">
            <CopyLink url={typeof window === 'undefined' ? '' : window.location.href} />
          </div>
        </div>
      </header>

      {(t.message || error) && (
        <p
          role="alert"
          data-testid="session-message"
          className={`mt-4 rounded-lg border px-4 py-3 text-sm ${state === 'failed' || error ? 'border-rose-500/30 bg-rose-500/10 text-rose-200' : 'border-amber-500/30 bg-amber-500/10 text-amber-200'}`}
        >
          {error ?? t.message}
        </p>
      )}

      <div className="mt-5 grid gap-4 md:grid-cols-[minmax(0,1fr)_15rem]">
        <section className="flex flex-col justify-center gap-4 rounded-xl border border-zinc-800 bg-zinc-900/40 p-4">
          <ProgressBar
            progress={progress}
            etaSeconds={eta}
            state={state}
            epochsDone={t.epochs.length}
            epochs={detail.config.epochs}
            detail={lastBatch && state === 'training' ? `${Math.round(lastBatch.imagesPerSec)} images/s` : undefined}
          />
          <HostControls
            state={state}
            isHost={isHost}
            hostNickname={detail.hostNickname}
            currentLr={currentLr}
            onControl={control}
            onLearningRate={setLearningRate}
          />
          {detail.modelVersionId !== null && (
            <p data-testid="model-version" className="text-sm text-indigo-300">
              The trained model is saved as model version #{detail.modelVersionId}.
            </p>
          )}
          {detail.modelVersionId === null && t.saveError && (
            <p role="alert" data-testid="model-save-error" className="text-sm text-rose-300">
              {t.saveError}
            </p>
          )}
        </section>
        <aside className="flex flex-col gap-2">
          <PresenceList viewers={t.viewers} count={t.viewerCount} youId={t.you?.viewerId ?? null} />
          <NicknameForm why="Pick a nickname to appear by name (and to vote)" />
        </aside>
      </div>

      {detail.kind === 'vae' && (
        <section
          aria-labelledby="vote-heading"
          data-testid="session-voting"
          className="mt-6 rounded-xl border border-zinc-800 bg-zinc-900/40 p-4"
        >
          <h2 id="vote-heading" className="text-sm font-semibold text-zinc-300">
            Vote on what it draws
          </h2>
          <p className="mt-1 text-xs text-zinc-500">
            Candidates come from this session&apos;s weights at the epoch the round opens (best of several, judged by
            the served CNN); the winners go to the gallery.
          </p>
          <VoteRoom
            room={detail.id}
            session={{ isHost, epochsDone: t.epochs.length, hostNickname: detail.hostNickname }}
          />
        </section>
      )}

      <div className="mt-6 flex min-w-0 flex-col gap-6">
        <TrainingCharts
          kind={detail.kind}
          batches={t.batches}
          epochs={t.epochs}
          version={t.version}
          selectedEpoch={inspected?.epoch ?? null}
        />
        <section aria-labelledby="epoch-heading" className="rounded-xl border border-zinc-800 bg-zinc-900/40 p-4">
          <h2 id="epoch-heading" className="mb-3 text-sm font-semibold text-zinc-300">
            What the model learned
          </h2>
          {t.epochs.length === 0 ? (
            <p className="text-sm text-zinc-500">
              {state === 'waiting' || state === 'queued'
                ? 'The first evaluation appears after the first epoch of training.'
                : state === 'training' || state === 'paused'
                  ? 'Training the first epoch; its evaluation appears when it ends.'
                  : 'This session ended before its first epoch finished.'}
            </p>
          ) : (
            <div className="flex flex-col gap-4">
              <EpochScrubber
                count={t.epochs.length}
                selected={shown === t.epochs.length - 1 ? null : shown}
                onSelect={setSelected}
                describe={(i) => {
                  const e = t.epochs[i]?.evaluation;
                  return e ? `${e.headlineName} ${formatHeadline(e.headlineName, e.headline, e.headlineUnit)}` : '';
                }}
              />
              {inspected && <EvaluationPanel kind={detail.kind} epoch={inspected} probeImages={detail.probeImages} />}
            </div>
          )}
        </section>
      </div>
    </main>
  );
}
