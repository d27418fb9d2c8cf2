/** The viewer's nickname as others see it in the presence list; editable in place. */
'use client';

import { useState } from 'react';

export function NicknameField({ nickname, onChange }: { nickname: string; onChange(nickname: string): void }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(nickname);
  const trimmed = value.trim();
  if (!editing) {
    return (
      <p className="text-xs text-zinc-500">
        You appear as <span className="text-zinc-300">{nickname}</span>.{' '}
        <button type="button" className="text-indigo-300 hover:underline" onClick={() => setEditing(true)}>
          Change
        </button>
      </p>
    );
  }
  return (
    <form
      className="flex gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!trimmed) return;
        onChange(trimmed);
        setEditing(false);
      }}
    >
      <input
        aria-label="Your nickname"
        value={value}
        maxLength={24}
        autoFocus
        onChange={(e) => setValue(e.target.value)}
        className="min-w-0 flex-1 rounded-lg border border-zinc-700 bg-zinc-900 px-2 py-1 text-sm text-zinc-100 focus:border-indigo-400 focus:outline-none"
      />
      <button type="submit" disabled={!trimmed} className="rounded-lg bg-zinc-800 px-3 py-1 text-sm text-zinc-200 hover:bg-zinc-700 disabled:opacity-50">
        Save
      </button>
    </form>
  );
}
