'use client';
/**
 * A voting room: the current round's candidates with live tallies and your votes, the countdown,
 * start and close controls, and each candidate's lineage (the winners it was bred from). On /vote
 * anyone with a nickname starts a round (the served VAE); in a live VAE session (`session`) the
 * room is the session's, and only its host opens and closes rounds, on the session's current
 * weights (its latest finished epoch).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { VoteRoundState, VoteTally } from '../../lib/protocol';
import { getSocket, listen, request } from '../realtime/socket';
import { ClassSelect } from '../components/ClassSelect';
import { GarmentImage } from '../components/GarmentImage';
import { ErrorMessage } from '../components/Messages';
import { ModelPicker } from '../components/models/ModelPicker';
import { CLASS_NAMES } from '../../lib/classes';
import { NicknameForm, useGuest } from '../identity';

export interface SessionVoting {
  /** Whether you host the session (only the host opens and closes its rounds). */
  isHost: boolean;
  /** Finished epochs so far: rounds open after the first. */
  epochsDone: number;
  hostNickname: string;
}

/**
 * Whether a join reply's round is older than the one shown: pushes that arrived while the reply was
 * on its way (a newer round, or the shown round's close) are not undone by it.
 */
/** How long past its time an open round waits for its close before the page asks again. */
const OVERDUE_MS = 5000;

function isOlderRound(reply: VoteRoundState | null, shown: VoteRoundState | null): boolean {
  if (!shown) return false;
  if (!reply) return true;
  return reply.id < shown.id || (reply.id === shown.id && reply.state === 'open' && shown.state === 'closed');
}

export function VoteRoom({ room, session }: { room: string; session?: SessionVoting }) {
  const { guest } = useGuest();
  const [round, setRound] = useState<VoteRoundState | null>(null);
  const [tallies, setTallies] = useState<Map<number, VoteTally>>(new Map());
  const [mine, setMine] = useState<Map<number, 1 | -1>>(new Map());
  const [you, setYou] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [label, setLabel] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [duration, setDuration] = useState(60);

  // The round shown, for the join reply to compare with (it arrives in a closure of an older render).
  const shown = useRef<VoteRoundState | null>(null);
  const showRound = useCallback((r: VoteRoundState | null) => {
    shown.current = r;
    setRound(r);
    setTallies(new Map((r?.tallies ?? []).map((t) => [t.candidateId, t])));
  }, []);

  const join = useCallback(async () => {
    const reply = await request('vote:join', { room });
    if (!reply.ok) return setMessage(reply.error);
    setYou(reply.data.you?.publicId ?? null);
    const current = shown.current?.room === room ? shown.current : null;
    if (isOlderRound(reply.data.round, current)) return;
    showRound(reply.data.round);
    setMine(new Map(reply.data.myVotes.map((v) => [v.candidateId, v.value])));
  }, [room, showRound]);

  useEffect(() => {
    const socket = getSocket();
    const onRound = (r: VoteRoundState) => {
      if (r.room !== room) return;
      showRound(r);
      if (r.state === 'open') setMine(new Map());
    };
    const onTally = ({ roundId, tallies: changed }: { roundId: number; tallies: VoteTally[] }) =>
      setTallies((old) => {
        const next = new Map(old);
        for (const t of changed) next.set(t.candidateId, t);
        return roundId ? next : old;
      });
    const unlisten = listen({ connect: join, 'vote:round': onRound, 'vote:tally': onTally });
    if (socket.connected) void join();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      unlisten();
      void request('vote:leave', { room });
      clearInterval(tick);
    };
  }, [room, showRound, join]);

  // A round past its time whose close was never pushed (the node running it is gone): asking again
  // lets a live node take it over, which closes it.
  const overdue = round?.state === 'open' && now - Date.parse(round.closesAt) > OVERDUE_MS;
  useEffect(() => {
    if (!overdue) return;
    void join();
    const again = setInterval(() => void join(), OVERDUE_MS);
    return () => clearInterval(again);
  }, [overdue, join]);

  const vote = async (candidateId: number, value: 1 | -1) => {
    if (!round) return;
    const next = mine.get(candidateId) === value ? 0 : value;
    const reply = await request('vote:cast', { roundId: round.id, candidateId, value: next });
    if (!reply.ok) return setMessage(reply.error);
    setMessage(null);
    setTallies((old) => new Map(old).set(candidateId, reply.data.tally));
    setMine((old) => {
      const m = new Map(old);
      if (next === 0) m.delete(candidateId);
      else m.set(candidateId, next);
      return m;
    });
  };

  const [modelVersionId, setModelVersionId] = useState<number | null>(null);
  const start = async () => {
    setBusy(true);
    const reply = session
      ? await request('session:vote:open', { sessionId: room, label, durationSeconds: duration, breed: true }, 60_000)
      : await request('vote:start', { room, label, durationSeconds: 60, breed: true, modelVersionId }, 60_000);
    setBusy(false);
    if (!reply.ok) return setMessage(reply.error);
    setMessage(null);
    showRound(reply.data.round);
    setMine(new Map());
  };

  const close = async () => {
    if (!round) return;
    const reply = session
      ? await request('session:vote:close', { sessionId: room })
      : await request('vote:close', { roundId: round.id });
    setMessage(reply.ok ? null : reply.error);
  };

  const parents = useMemo(() => new Map((round?.parents ?? []).map((p) => [p.id, p])), [round]);
  const winners = new Set(round?.winners.map((w) => w.candidateId));
  const secondsLeft = round ? Math.max(0, Math.round((Date.parse(round.closesAt) - now) / 1000)) : 0;
  const open = round?.state === 'open';
  const canStart = session ? session.isHost && session.epochsDone > 0 : true;

  return (
    <section className="mt-6">
      {session ? (
        !guest && <p className="text-sm text-zinc-400">Pick a nickname (beside the viewers list) to vote.</p>
      ) : (
        <NicknameForm why="Pick a nickname to vote" />
      )}
      <div className="mt-4 flex flex-wrap items-center gap-3 text-sm">
        {round && (
          <span data-testid="round-status" className="text-zinc-300">
            Round {round.number} {round.label !== null ? `(${CLASS_NAMES[round.label]})` : '(all classes)'}
            {round.session && ` on epoch ${round.session.epoch}'s weights`} hosted by{' '}
            <span className="font-semibold">{round.hostNickname}</span>: {open ? `${secondsLeft} s left` : 'closed'}
          </span>
        )}
        {!open && session && !session.isHost && (
          <span data-testid="vote-host-note" className="text-zinc-400">
            {session.hostNickname} can open a voting round after any finished epoch; you vote here when they do.
          </span>
        )}
        {!open && session?.isHost && session.epochsDone === 0 && (
          <span className="text-zinc-400">
            After the first epoch you can open a voting round on the garments this session&apos;s VAE draws.
          </span>
        )}
        {!open && canStart && (
          <>
            {session && (
              <select
                aria-label="duration"
                value={duration}
                onChange={(e) => setDuration(Number(e.target.value))}
                className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
              >
                {[30, 60, 120, 300].map((s) => (
                  <option key={s} value={s}>
                    {s < 60 ? `${s} s` : `${s / 60} min`}
                  </option>
                ))}
              </select>
            )}
            <ClassSelect value={label} onChange={setLabel} />
            {/* A session's rounds come from its own latest weights, not from a picked version. */}
            {!session && <ModelPicker kind="vae" value={modelVersionId} onChange={setModelVersionId} />}
            <button
              disabled={busy || !guest}
              onClick={start}
              className="rounded bg-indigo-500 px-3 py-1 font-semibold text-white disabled:opacity-50"
            >
              {busy
                ? 'Generating…'
                : session
                  ? `Open a voting round on epoch ${session.epochsDone}`
                  : round?.winners.length
                    ? 'Breed the next round'
                    : 'Start a round'}
            </button>
          </>
        )}
        {open && you === round.hostPublicId && (
          <button onClick={close} className="rounded border border-zinc-600 px-3 py-1 text-zinc-200">
            Close now
          </button>
        )}
      </div>
      <ErrorMessage message={message} className="mt-3 text-sm text-rose-400" />
      {!round && !session && <p className="mt-6 text-zinc-400">No round yet: pick a nickname and start one.</p>}
      <ul className="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-3 md:grid-cols-4">
        {round?.candidates.map((c) => {
          const t = tallies.get(c.id) ?? { up: 0, down: 0 };
          return (
            <li
              key={c.id}
              data-testid={`candidate-${c.position}`}
              className={`rounded-xl border p-3 ${winners.has(c.id) ? 'border-amber-400' : 'border-zinc-800'} bg-zinc-900/40`}
            >
              <GarmentImage src={c.image} alt={CLASS_NAMES[c.label]} size={112} className="mx-auto h-28 w-28" />
              <p className="mt-2 text-xs text-zinc-400">
                {CLASS_NAMES[c.label]} · judge {(c.confidence * 100).toFixed(0)} %
              </p>
              <div className="mt-2 flex items-center gap-2 text-sm">
                <button
                  aria-label={`keep ${CLASS_NAMES[c.label]}, candidate ${c.position + 1}`}
                  aria-pressed={mine.get(c.id) === 1}
                  disabled={!open}
                  onClick={() => vote(c.id, 1)}
                  className={`rounded px-2 py-0.5 ${mine.get(c.id) === 1 ? 'bg-emerald-600 text-white' : 'border border-zinc-700 text-zinc-200'}`}
                >
                  ▲ keep
                </button>
                <span data-testid="tally" className="tabular-nums text-zinc-200">
                  {t.up - t.down}
                </span>
                <button
                  aria-label={`discard ${CLASS_NAMES[c.label]}, candidate ${c.position + 1}`}
                  aria-pressed={mine.get(c.id) === -1}
                  disabled={!open}
                  onClick={() => vote(c.id, -1)}
                  className={`rounded px-2 py-0.5 ${mine.get(c.id) === -1 ? 'bg-rose-600 text-white' : 'border border-zinc-700 text-zinc-200'}`}
                >
                  ▼
                </button>
                <span className="text-xs text-zinc-500">
                  {t.up}↑ {t.down}↓
                </span>
              </div>
              {c.parentIds.length > 0 && (
                <div className="mt-2 flex items-center gap-1 text-xs text-zinc-500">
                  {c.origin} of
                  {c.parentIds.map(
                    (id) =>
                      parents.get(id) && (
                        <GarmentImage
                          key={id}
                          src={parents.get(id)!.image}
                          alt="parent"
                          title={`round ${parents.get(id)!.roundNumber}`}
                          size={28}
                        />
                      ),
                  )}
                </div>
              )}
              {winners.has(c.id) && (
                <a
                  className="mt-1 block text-xs text-amber-300 underline"
                  href={`/gallery/${round.winners.find((w) => w.candidateId === c.id)!.galleryItemId}`}
                >
                  in the gallery →
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
