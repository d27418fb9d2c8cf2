'use client';
/**
 * The guest identity in the browser: who the cookie says we are (GET /api/identity) and a small
 * form to pick a nickname (POST /api/identity). After picking, the socket reconnects so that its
 * handshake carries the new cookie. Nicknames are rendered as text by React, never as HTML.
 */
import { useCallback, useEffect, useState } from 'react';
import { getSocket } from '../realtime/socket';

export interface Guest {
  id: string;
  nickname: string;
}

export function useGuest(): { guest: Guest | null; loaded: boolean; choose: (nickname: string) => Promise<string | null> } {
  const [guest, setGuest] = useState<Guest | null>(null);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    fetch('/api/identity')
      .then((r) => r.json())
      .then((b: { guest: Guest | null }) => setGuest(b.guest))
      .catch(() => setGuest(null))
      .finally(() => setLoaded(true));
  }, []);
  const choose = useCallback(async (nickname: string) => {
    const res = await fetch('/api/identity', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nickname }) });
    const body = (await res.json()) as { guest?: Guest; error?: string };
    if (!res.ok || !body.guest) return body.error ?? 'The server refused the nickname.';
    setGuest(body.guest);
    const socket = getSocket();
    socket.disconnect();
    socket.connect();
    return null;
  }, []);
  return { guest, loaded, choose };
}

export function NicknameForm({ guest, choose }: { guest: Guest | null; choose: (n: string) => Promise<string | null> }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  if (guest && !editing) {
    return (
      <p className="text-sm text-zinc-400">
        You are <span data-testid="nickname" className="font-semibold text-zinc-100">{guest.nickname}</span>{' '}
        <button className="text-indigo-300 underline" onClick={() => setEditing(true)}>change</button>
      </p>
    );
  }
  return (
    <form
      className="flex flex-wrap items-center gap-2 text-sm"
      onSubmit={async (e) => {
        e.preventDefault();
        const err = await choose(value);
        setError(err);
        if (!err) setEditing(false);
      }}
    >
      <label htmlFor="nickname" className="text-zinc-400">Pick a nickname to vote and collect:</label>
      <input id="nickname" name="nickname" maxLength={24} value={value} onChange={(e) => setValue(e.target.value)}
        className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100" />
      <button className="rounded bg-indigo-500 px-3 py-1 font-semibold text-white">Save</button>
      {error && <span role="alert" className="text-rose-400">{error}</span>}
    </form>
  );
}
