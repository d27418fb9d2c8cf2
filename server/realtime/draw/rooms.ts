/**
 * Shared drawing rooms ("draw together"): who is in a room, who draws, the garment to draw this
 * round, the drawing so far with the model's guess, and the guesses in the order they came, so the
 * room can show who was right first (a person or the model). Plain state with no sockets: the
 * handlers (handlers.ts) call it and broadcast what it returns. Players are known by their
 * connection's id, which is unique across web nodes: with several nodes, a room lives on the node
 * where it opened and players of every node play in it (forwarding.ts).
 *
 * Rules: whoever starts a round draws it and alone learns the garment. Watchers guess; the first
 * correct guess by a person ends the round and reveals the garment. The model's first correct top
 * guess (with at least MODEL_CONFIDENCE) is recorded as a guess too, so it can be first, but it
 * does not end the round: people keep playing against it.
 */
import { randomUUID } from 'node:crypto';
import { UserFacingError } from '../../errors';
import type { Stroke } from '../../../lib/sketch/preprocess';
import type { Recognition, RoomDrawing, RoomGuess, RoomState } from '../../../lib/protocol';

export const MODEL_NAME = 'the model';
/** The model counts as having guessed once its top class has at least this probability. */
export const MODEL_CONFIDENCE = 0.5;
const MAX_PLAYERS = 16;
const MAX_ROOMS = 200;
const MAX_GUESSES = 100;

interface Player {
  id: string;
  nickname: string;
}

interface Room {
  id: string;
  /** By socket id. */
  players: Map<string, Player>;
  drawerSocket: string | null;
  round: number;
  status: RoomState['status'];
  target: number | null;
  startedAt: number;
  guesses: RoomGuess[];
  firstCorrect: RoomGuess | null;
  strokes: Stroke[];
  recognition: Recognition | null;
}

export class DrawingRooms {
  private readonly rooms = new Map<string, Room>();

  /** `shownName`: a player's nickname as others see it (a moderator may have hidden it). */
  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
    private readonly shownName: (nickname: string) => string = (n) => n,
  ) {}

  join(
    roomId: string,
    socketId: string,
    nickname: string,
  ): { playerId: string; state: RoomState; drawing: RoomDrawing } {
    let room = this.rooms.get(roomId);
    if (!room) {
      if (this.rooms.size >= MAX_ROOMS)
        throw new UserFacingError('The server has too many drawing rooms open; join an existing room or try later.');
      room = {
        id: roomId,
        players: new Map(),
        drawerSocket: null,
        round: 0,
        status: 'waiting',
        target: null,
        startedAt: 0,
        guesses: [],
        firstCorrect: null,
        strokes: [],
        recognition: null,
      };
      this.rooms.set(roomId, room);
    }
    const existing = room.players.get(socketId);
    if (!existing && room.players.size >= MAX_PLAYERS)
      throw new UserFacingError(`Room ${roomId} is full (${MAX_PLAYERS} players); pick another room name.`);
    const player = existing ?? { id: randomUUID(), nickname };
    player.nickname = nickname;
    room.players.set(socketId, player);
    return { playerId: player.id, state: this.state(room), drawing: this.drawing(room) };
  }

  /** Removes the socket from the room (if the drawer leaves, the round ends); null when the room is gone. */
  leave(roomId: string, socketId: string): RoomState | null {
    const room = this.rooms.get(roomId);
    if (!room?.players.delete(socketId)) return room ? this.state(room) : null;
    if (room.players.size === 0) {
      this.rooms.delete(roomId);
      return null;
    }
    if (room.drawerSocket === socketId) {
      room.drawerSocket = null;
      if (room.status === 'drawing') room.status = 'over';
    }
    return this.state(room);
  }

  /** Whether the room is open here (with several web nodes, on this node). */
  holds(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  /** The rooms open here. */
  ids(): string[] {
    return [...this.rooms.keys()];
  }

  /** The connections playing in a room (with several web nodes, on any of them). */
  connectionsIn(roomId: string): string[] {
    return [...(this.rooms.get(roomId)?.players.keys() ?? [])];
  }

  /** A new round drawn by the caller; returns the secret garment. */
  start(roomId: string, socketId: string): { round: number; target: number; state: RoomState; drawing: RoomDrawing } {
    const room = this.member(roomId, socketId);
    if (room.status === 'drawing' && room.drawerSocket !== socketId) {
      const drawer = room.drawerSocket ? room.players.get(room.drawerSocket)?.nickname : undefined;
      const shown = drawer === undefined ? undefined : this.shownName(drawer);
      throw new UserFacingError(`${shown ?? 'Someone'} is drawing this round; guess, or wait for the round to end.`);
    }
    room.round++;
    room.drawerSocket = socketId;
    room.status = 'drawing';
    room.target = Math.floor(this.random() * 10);
    room.startedAt = this.now();
    room.guesses = [];
    room.firstCorrect = null;
    room.strokes = [];
    room.recognition = null;
    return { round: room.round, target: room.target, state: this.state(room), drawing: this.drawing(room) };
  }

  /** Checks that the caller may send the drawing of the current round (before recognizing it). */
  assertDrawer(roomId: string, socketId: string): void {
    const room = this.member(roomId, socketId);
    if (room.drawerSocket !== socketId || room.status !== 'drawing') {
      throw new UserFacingError('You are not drawing in this room right now: start a round to draw.');
    }
  }

  /** Stores the drawer's drawing and the model's guess; `stateChanged` when the model just got it right. */
  draw(
    roomId: string,
    socketId: string,
    strokes: Stroke[],
    recognition: Recognition | null,
  ): { drawing: RoomDrawing; state: RoomState | null } {
    this.assertDrawer(roomId, socketId);
    const room = this.rooms.get(roomId)!;
    room.strokes = strokes;
    room.recognition = recognition;
    let changed = false;
    const modelRight =
      recognition &&
      recognition.guess === room.target &&
      recognition.probabilities[recognition.guess]! >= MODEL_CONFIDENCE;
    if (modelRight && !room.guesses.some((g) => g.playerId === null && g.correct)) {
      this.record(room, {
        playerId: null,
        name: MODEL_NAME,
        label: recognition.guess,
        correct: true,
        atMs: this.now() - room.startedAt,
      });
      changed = true;
    }
    return { drawing: this.drawing(room), state: changed ? this.state(room) : null };
  }

  guess(roomId: string, socketId: string, label: number): { correct: boolean; first: boolean; state: RoomState } {
    const room = this.member(roomId, socketId);
    if (room.status !== 'drawing')
      throw new UserFacingError('No round is being drawn in this room: start one, or wait for the next.');
    if (room.drawerSocket === socketId) throw new UserFacingError('You are the one drawing: let the others guess.');
    const player = room.players.get(socketId)!;
    const correct = label === room.target;
    const entry = { playerId: player.id, name: player.nickname, label, correct, atMs: this.now() - room.startedAt };
    const first = correct && room.firstCorrect === null;
    this.record(room, entry);
    if (correct) room.status = 'over';
    return { correct, first, state: this.state(room) };
  }

  private record(room: Room, guess: RoomGuess): void {
    if (room.guesses.length < MAX_GUESSES) room.guesses.push(guess);
    if (guess.correct) room.firstCorrect ??= guess;
  }

  private member(roomId: string, socketId: string): Room {
    const room = this.rooms.get(roomId);
    if (!room?.players.has(socketId)) throw new UserFacingError(`You are not in room ${roomId}: join it first.`);
    return room;
  }

  /**
   * What everyone in the room sees. While a round is drawn the model's guess would give the
   * answer away, so its entries (and "the model was right first") are held back until the round
   * ends; the drawer has the guess from their own requests.
   */
  private state(room: Room): RoomState {
    const hide = room.status === 'drawing';
    const shown = (g: RoomGuess): RoomGuess => (g.playerId === null ? g : { ...g, name: this.shownName(g.name) });
    const firstCorrect = hide && room.firstCorrect?.playerId === null ? null : room.firstCorrect;
    return {
      roomId: room.id,
      players: [...room.players.values()].map((p) => ({ id: p.id, nickname: this.shownName(p.nickname) })),
      drawerId: room.drawerSocket ? (room.players.get(room.drawerSocket)?.id ?? null) : null,
      round: room.round,
      status: room.status,
      answer: room.status === 'over' ? room.target : null,
      guesses: (hide ? room.guesses.filter((g) => g.playerId !== null) : room.guesses).map(shown),
      firstCorrect: firstCorrect && shown(firstCorrect),
    };
  }

  /**
   * What everyone sees now in the rooms held here where a player or a person's guess goes by a
   * nickname `named` picks (a moderator hid it or showed it again: the rooms are sent again).
   */
  statesNaming(named: (nickname: string) => boolean): RoomState[] {
    return [...this.rooms.values()]
      .filter(
        (room) =>
          [...room.players.values()].some((p) => named(p.nickname)) ||
          room.guesses.some((g) => g.playerId !== null && named(g.name)),
      )
      .map((room) => this.state(room));
  }

  /** The drawing as the watchers see it: the model's guess only once the round is over (see state). */
  private drawing(room: Room): RoomDrawing {
    const recognition = room.status === 'drawing' ? null : room.recognition;
    return {
      roomId: room.id,
      round: room.round,
      strokes: room.strokes.map((s) => ({ ...s, tool: s.tool ?? 'pen' })),
      recognition,
    };
  }

  /** The room's drawing as everyone may now see it (with the model's guess once the round is over). */
  drawingOf(roomId: string): RoomDrawing | null {
    const room = this.rooms.get(roomId);
    return room ? this.drawing(room) : null;
  }
}
