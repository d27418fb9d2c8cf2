/**
 * Draw together: a shared room where one person draws a secret garment, the others watch the
 * strokes arrive live, and everyone races the model to name it (the model's guess shows to the
 * watchers once the round ends: before, it would give the answer away). Joins by room name and
 * nickname (the one identity, app/identity: typing a new one here changes it everywhere); shows
 * the room's name and invite link; rejoins after a reconnect.
 */
'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { CLASS_NAMES } from '../../../lib/classes';
import type { Stroke } from '../../../lib/sketch/preprocess';
import type { Recognition, RoomDrawing, RoomState } from '../../../lib/protocol';
import { listen, request } from '../../realtime/socket';
import { ensureNickname, useGuest } from '../../identity';
import { CopyLink } from '../CopyLink';
import { ErrorMessage } from '../Messages';
import { DrawingCanvas } from './DrawingCanvas';
import { ProbabilityBars } from './ProbabilityBars';
import { RoomSidebar } from './RoomSidebar';
import { DrawingSurface } from './DrawingSurface';
import { Button } from './Toolbar';
import { useRecognition } from './useRecognition';
import { ModelPicker } from '../models/ModelPicker';
import { useSketchPad } from './useSketchPad';

interface Joined {
  roomId: string;
  nickname: string;
  playerId: string;
}

export function DrawRoom({ initialRoom }: { initialRoom: string }) {
  const [joined, setJoined] = useState<Joined | null>(null);
  const [room, setRoom] = useState<RoomState | null>(null);
  const [drawing, setDrawing] = useState<RoomDrawing | null>(null);
  const [target, setTarget] = useState<number | null>(null);
  const [message, setMessage] = useState<{ text: string; tone: 'info' | 'error' | 'good' } | null>(null);

  const join = useCallback(async (roomId: string, nickname: string) => {
    const refused = await ensureNickname(nickname);
    if (refused) {
      setMessage({ text: refused, tone: 'error' });
      return;
    }
    const reply = await request('room:join', { roomId, nickname });
    if (!reply.ok) {
      setMessage({ text: reply.error, tone: 'error' });
      return;
    }
    setJoined({ roomId, nickname, playerId: reply.data.playerId });
    setRoom(reply.data.state);
    setDrawing(reply.data.drawing);
    setTarget(null);
    setMessage(null);
  }, []);

  // One socket serves the whole visit: pushes of a room this page left may still arrive.
  const roomId = joined?.roomId;
  useEffect(() => {
    const onState = (s: RoomState) => setRoom((old) => (old && old.roomId !== s.roomId ? old : s));
    const onDrawing = (d: RoomDrawing) => setDrawing((old) => (roomId === undefined || d.roomId === roomId ? d : old));
    return listen({ 'room:state': onState, 'room:drawing': onDrawing });
  }, [roomId]);

  // The socket outlives the page (the header's links keep it): leave the room when the page goes,
  // or the server keeps this player, and a round it was drawing, until the tab closes.
  useEffect(() => {
    if (!roomId) return;
    return () => void request('room:leave', { roomId });
  }, [roomId]);

  // A new round: the last one's feedback ("Not a Shirt. Keep looking.") no longer applies.
  const round = room?.round;
  useEffect(() => {
    if (round !== undefined) setMessage((m) => (m?.tone === 'error' ? m : null));
  }, [round]);

  // After a reconnect (a dropped connection, or a new nickname picked on any page) the server has
  // forgotten this socket: join again, under the cookie's nickname.
  useEffect(() => {
    if (!joined) return;
    const onReconnect = async () => {
      const reply = await request('room:join', { roomId: joined.roomId, nickname: joined.nickname });
      if (!reply.ok) return setMessage({ text: reply.error, tone: 'error' });
      // A new connection is a new player to the server: without its id this page would neither
      // guess nor draw. A round this page was drawing ended when the old connection left.
      setJoined((j) => (j && j.roomId === joined.roomId ? { ...j, playerId: reply.data.playerId } : j));
      setTarget(null);
      setRoom(reply.data.state);
      setDrawing(reply.data.drawing);
    };
    return listen({ connect: onReconnect });
  }, [joined]);

  if (!joined || !room)
    return <JoinForm initialRoom={initialRoom} onJoin={join} error={message?.tone === 'error' ? message.text : null} />;

  const me = room.players.find((p) => p.id === joined.playerId);
  const amDrawer = room.drawerId === joined.playerId && room.status === 'drawing';
  const drawerName = room.players.find((p) => p.id === room.drawerId)?.nickname;

  const start = async () => {
    const reply = await request('room:start', { roomId: joined.roomId });
    if (reply.ok) {
      setTarget(reply.data.target);
      setMessage(null);
    } else setMessage({ text: reply.error, tone: 'error' });
  };

  const guess = async (label: number) => {
    const reply = await request('room:guess', { roomId: joined.roomId, label });
    if (!reply.ok) setMessage({ text: reply.error, tone: 'error' });
    else if (reply.data.correct)
      setMessage({ text: reply.data.first ? 'Right, and you were first!' : 'Right!', tone: 'good' });
    else setMessage({ text: `Not a ${CLASS_NAMES[label]}. Keep looking.`, tone: 'info' });
  };

  const invite = `${window.location.origin}/draw/together?room=${encodeURIComponent(joined.roomId)}`;
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div
        className="flex flex-wrap items-center gap-3 rounded-xl border border-zinc-800 bg-zinc-900/40 px-4 py-3 lg:col-span-2"
        data-testid="room-header"
      >
        <p className="text-sm text-zinc-300">
          Room{' '}
          <strong className="text-zinc-50" data-testid="room-name">
            {joined.roomId}
          </strong>
          : invite people with this link
        </p>
        <div className="min-w-[16rem] flex-1">
          <CopyLink url={invite} testId="invite-link" />
        </div>
      </div>
      <section className="min-w-0" aria-label="Drawing">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <p className="text-sm text-zinc-300" data-testid="room-banner">
            {room.status === 'drawing' ? (
              amDrawer ? (
                <>
                  Draw a <strong className="text-indigo-300">{target === null ? '…' : CLASS_NAMES[target]}</strong>
                  {"; don't tell anyone."}
                </>
              ) : (
                <>
                  <strong className="text-zinc-100">{drawerName}</strong> is drawing. What is it?
                </>
              )
            ) : room.status === 'over' ? (
              <>
                It was a{' '}
                <strong className="text-indigo-300">{room.answer === null ? '?' : CLASS_NAMES[room.answer]}</strong>.
              </>
            ) : (
              'Nobody is drawing yet.'
            )}
          </p>
          {room.status !== 'drawing' && (
            <Button primary onClick={() => void start()}>
              {room.round === 0 ? 'Start: I draw' : 'New round: I draw'}
            </Button>
          )}
          {amDrawer && (
            <Button onClick={() => void start()} title="Skip this garment">
              Another garment
            </Button>
          )}
        </div>
        {amDrawer ? (
          <DrawerCanvas
            key={`${room.round}`}
            roomId={joined.roomId}
            onDrawn={(strokes, recognition) =>
              setDrawing({
                roomId: joined.roomId,
                round: room.round,
                strokes: strokes.map((s) => ({ ...s, tool: s.tool ?? 'pen' })),
                recognition,
              })
            }
          />
        ) : (
          <WatcherView drawing={drawing} canGuess={room.status === 'drawing' && me !== undefined} onGuess={guess} />
        )}
        {message && (
          <p
            role={message.tone === 'error' ? 'alert' : 'status'}
            className={`mt-3 text-sm ${message.tone === 'error' ? 'text-rose-300' : message.tone === 'good' ? 'text-emerald-300' : 'text-zinc-300'}`}
          >
            {message.text}
          </p>
        )}
      </section>
      <RoomSidebar
        room={room}
        me={joined.playerId}
        recognition={
          amDrawer ? (drawing?.recognition ?? null) : room.status === 'drawing' ? null : (drawing?.recognition ?? null)
        }
        hidden={!amDrawer && room.status === 'drawing'}
      />
    </div>
  );
}

/** The drawer's own canvas; `onDrawn` keeps the room view (shown once the round ends) in step. */
function DrawerCanvas({
  roomId,
  onDrawn,
}: {
  roomId: string;
  onDrawn: (strokes: Stroke[], recognition: Recognition | null) => void;
}) {
  const { history, tool, setTool, penWidth, setPenWidth, image } = useSketchPad();
  // The room needs every change, an empty canvas included, so watchers see a clear too.
  const [modelVersionId, setModelVersionId] = useState<number | null>(null);
  const send = useCallback(
    (strokes: Stroke[]) => request('room:draw', { roomId, strokes, modelVersionId }),
    [roomId, modelVersionId],
  );
  const live = useRecognition(history.strokes, true, { send, intervalMs: 120, penDown: history.drawing });
  const onDrawnRef = useRef(onDrawn);
  onDrawnRef.current = onDrawn;
  useEffect(
    () => onDrawnRef.current(history.strokes, image ? live.result : null),
    [history.strokes, image, live.result],
  );
  return (
    <div>
      <div className="mb-3">
        <ModelPicker kind="cnn" value={modelVersionId} onChange={setModelVersionId} />
      </div>
      <DrawingSurface history={history} tool={tool} onTool={setTool} penWidth={penWidth} onPenWidth={setPenWidth} />
      <div className="mt-4">
        <ProbabilityBars probabilities={image ? (live.result?.probabilities ?? null) : null} dimmed={live.busy} />
      </div>
      {live.error && (
        <p role="alert" className="mt-2 text-sm text-rose-300">
          {live.error}
        </p>
      )}
    </div>
  );
}

function WatcherView({
  drawing,
  canGuess,
  onGuess,
}: {
  drawing: RoomDrawing | null;
  canGuess: boolean;
  onGuess: (label: number) => void;
}) {
  return (
    <div>
      <div className="mx-auto max-w-[34rem]">
        <DrawingCanvas strokes={drawing?.strokes ?? []} />
      </div>
      <h2 className="mt-4 text-sm font-semibold text-zinc-200">Your guess</h2>
      <div className="mt-2 flex flex-wrap gap-1.5" data-testid="guess-buttons">
        {CLASS_NAMES.map((name, c) => (
          <button
            key={name}
            type="button"
            disabled={!canGuess}
            onClick={() => onGuess(c)}
            className="rounded-full border border-zinc-700 px-3 py-1 text-sm text-zinc-200 transition-colors hover:border-indigo-400 hover:bg-indigo-500/10 disabled:cursor-not-allowed disabled:opacity-40"
          >
            {name}
          </button>
        ))}
      </div>
    </div>
  );
}

function JoinForm({
  initialRoom,
  onJoin,
  error,
}: {
  initialRoom: string;
  onJoin: (room: string, nickname: string) => void;
  error: string | null;
}) {
  const [roomId, setRoomId] = useState(initialRoom);
  const [nickname, setNickname] = useState('');
  const { guest } = useGuest();
  useEffect(() => {
    if (guest) setNickname((n) => n || guest.nickname);
  }, [guest]);
  return (
    <form
      className="max-w-md space-y-4 rounded-xl border border-zinc-800 bg-zinc-900/40 p-5"
      onSubmit={(e) => {
        e.preventDefault();
        onJoin(roomId.trim().toLowerCase(), nickname.trim());
      }}
    >
      <label className="block text-sm text-zinc-300">
        Room
        <input
          value={roomId}
          onChange={(e) => setRoomId(e.target.value)}
          className="mt-1 w-full rounded-lg border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100"
          name="room"
        />
      </label>
      <label className="block text-sm text-zinc-300">
        Your nickname <span className="text-xs text-zinc-500">(the same on every page)</span>
        <input
          value={nickname}
          onChange={(e) => setNickname(e.target.value)}
          maxLength={24}
          className="mt-1 w-full rounded-lg border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100"
          name="nickname"
        />
      </label>
      <ErrorMessage message={error} />
      <button
        type="submit"
        className="rounded-lg bg-indigo-500 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-400"
      >
        Join the room
      </button>
      <p className="text-xs text-zinc-500">Share the room name: everyone who joins it draws and guesses together.</p>
    </form>
  );
}
