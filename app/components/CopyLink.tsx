'use client';
/**
 * A link to share and a "Copy link" button. Where the clipboard is unavailable (plain http on a
 * LAN address, a browser that refuses), the link's text is selected instead, with a message
 * saying to copy it by hand.
 */
import { useRef, useState } from 'react';

export function CopyLink({
  url,
  label = 'Copy link',
  testId = 'share-link',
}: {
  url: string;
  label?: string;
  testId?: string;
}) {
  const text = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setNote('Link copied.');
    } catch {
      text.current?.focus();
      text.current?.select();
      setNote('This browser does not let the page copy; the link is selected: press Ctrl+C (⌘C) to copy it.');
    }
    setTimeout(() => setNote(null), 6000);
  };
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <div className="flex min-w-0 items-center gap-2">
        <input
          ref={text}
          readOnly
          value={url}
          aria-label="Link to share"
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-lg border border-zinc-700 bg-zinc-950 px-2 py-1 text-xs text-zinc-300"
        />
        <button
          type="button"
          onClick={() => void copy()}
          className="shrink-0 rounded-lg bg-zinc-800 px-3 py-1.5 text-sm text-zinc-200 hover:bg-zinc-700"
        >
          {label}
        </button>
      </div>
      {note && (
        <p role="status" data-testid={`${testId}-note`} className="text-xs text-zinc-400">
          {note}
        </p>
      )}
    </div>
  );
}
