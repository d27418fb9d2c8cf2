/**
 * A captioned figure of the session page: the live charts stand in bordered cards with a title
 * (`card`), an epoch's evaluation figures under a small upper-case caption.
 */
import type { ReactNode } from 'react';

export function Figure({ caption, card = false, children }: { caption: string; card?: boolean; children: ReactNode }) {
  return (
    <figure className={card ? 'min-w-0 rounded-xl border border-zinc-800 bg-zinc-900/40 p-3' : 'min-w-0'}>
      <figcaption
        className={
          card
            ? 'mb-2 text-sm font-medium text-zinc-300'
            : 'mb-2 text-xs font-medium uppercase tracking-wider text-zinc-500'
        }
      >
        {caption}
      </figcaption>
      {children}
    </figure>
  );
}
