'use client';
/**
 * The one identity in the browser: the signed, httpOnly guest cookie (server/identity). Every page
 * (sessions, draw, draw together, vote, gallery, collections) asks this module who we are
 * (GET /api/identity, once per page load, shared by every component) and picks or changes the
 * nickname through it (POST /api/identity): the cookie is set, the socket reconnects so its
 * handshake carries the new cookie, every component on the page shows the new name, and other open
 * tabs of the playground are told (BroadcastChannel) to do the same. No other identity is kept in
 * the browser. Nicknames are rendered as text by React, never as HTML.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { getSocket } from '../realtime/socket';

export interface Guest {
  id: string;
  nickname: string;
}

interface IdentityState {
  guest: Guest | null;
  loaded: boolean;
}

const NICKNAME_MAX = 24;
let state: IdentityState = { guest: null, loaded: false };
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();
let channel: BroadcastChannel | null = null;

function set(next: IdentityState): void {
  state = next;
  listeners.forEach((l) => l());
}

/** Asks the server who the cookie says we are. */
function refresh(): Promise<void> {
  return fetch('/api/identity', { cache: 'no-store' })
    .then((r) => r.json())
    .then((b: { guest: Guest | null }) => set({ guest: b.guest ?? null, loaded: true }))
    .catch(() => set({ guest: state.guest, loaded: true }));
}

/** Reconnects the shared socket so the server sees the current cookie; resolves once connected (or after 5 s). */
function reconnect(): Promise<void> {
  const socket = getSocket();
  socket.disconnect();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.connect();
  });
}

function start(): void {
  loading ??= refresh();
  if (!channel && typeof BroadcastChannel !== 'undefined') {
    channel = new BroadcastChannel('fmp-identity');
    // Another tab changed the nickname: same cookie, new name; show it and tell the server.
    channel.onmessage = () => void refresh().then(reconnect);
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  start();
  return () => listeners.delete(listener);
}

const SERVER_STATE: IdentityState = { guest: null, loaded: false };

/** Who we are (null: no nickname yet); `loaded` once the server answered. */
export function useGuest(): IdentityState & { choose: typeof chooseNickname } {
  const s = useSyncExternalStore(
    subscribe,
    () => state,
    () => SERVER_STATE,
  );
  return { ...s, choose: chooseNickname };
}

/**
 * Picks or changes the nickname everywhere; resolves with the server's refusal (one sentence) or
 * null once the socket is connected again as that guest.
 */
export async function chooseNickname(nickname: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch('/api/identity', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname }),
    });
  } catch {
    return 'The server did not answer; try again in a moment.';
  }
  const body = (await res.json().catch(() => ({}))) as { guest?: Guest; error?: string };
  if (!res.ok || !body.guest) return body.error ?? 'The server refused the nickname.';
  set({ guest: body.guest, loaded: true });
  channel?.postMessage('changed');
  await reconnect();
  return null;
}

/**
 * Makes sure we are `nickname` (picking or changing it when needed) before an action that needs
 * an identity (creating a session, joining a drawing room); null when done, else the refusal.
 */
export async function ensureNickname(nickname: string): Promise<string | null> {
  start();
  await loading;
  const wanted = nickname.trim();
  if (state.guest && state.guest.nickname === wanted) return null;
  return chooseNickname(wanted);
}

/** "You are X (change)", or a small form to pick one; `why` says what a nickname is for on this page. */
export function NicknameForm({ why = 'Pick a nickname' }: { why?: string }) {
  const { guest, loaded, choose } = useGuest();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (editing && guest) setValue(guest.nickname);
  }, [editing, guest]);
  if (!loaded) return null;
  if (guest && !editing) {
    return (
      <p className="text-sm text-zinc-400" data-testid="identity">
        You are{' '}
        <span data-testid="nickname" className="font-semibold text-zinc-100">
          {guest.nickname}
        </span>{' '}
        <button type="button" className="text-indigo-300 underline" onClick={() => setEditing(true)}>
          change
        </button>
      </p>
    );
  }
  return (
    <form
      className="flex flex-wrap items-center gap-2 text-sm"
      data-testid="nickname-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const err = await choose(value);
        setBusy(false);
        setError(err);
        if (!err) setEditing(false);
      }}
    >
      <label htmlFor="identity-nickname" className="text-zinc-400">
        {guest ? 'Your nickname, everywhere on the playground:' : `${why}:`}
      </label>
      <input
        id="identity-nickname"
        name="nickname"
        maxLength={NICKNAME_MAX}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
      />
      <button disabled={busy} className="rounded bg-indigo-500 px-3 py-1 font-semibold text-white disabled:opacity-50">
        Save
      </button>
      {guest && (
        <button type="button" className="text-zinc-400 underline" onClick={() => setEditing(false)}>
          cancel
        </button>
      )}
      {error && (
        <span role="alert" className="text-rose-400">
          {error}
        </span>
      )}
    </form>
  );
}

/** A friendly default for a first visit's forms: "Guest 4821" (it becomes the nickname when used). */
export function defaultNickname(): string {
  return `Guest ${1000 + Math.floor(Math.random() * 9000)}`;
}
