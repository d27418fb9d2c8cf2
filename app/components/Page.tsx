/**
 * The frame of a page: the centred column every page uses, with its heading (a title, a line or
 * two of introduction, actions on the right) or a link back to the list it belongs to.
 */
import type { ReactNode } from 'react';

export type PageFrame = {
  title?: ReactNode;
  intro?: ReactNode;
  actions?: ReactNode;
  /** For a page about one thing of a list: a link back to the list. */
  back?: { href: string; label: string };
  narrow?: boolean;
  children: ReactNode;
};

export function Page({ title, intro, actions, back, narrow = false, children }: PageFrame) {
  return (
    <main className={`mx-auto px-4 pb-16 pt-8 sm:px-6 ${narrow ? 'max-w-3xl' : 'max-w-5xl'}`}>
      {back && (
        <a className="text-sm text-indigo-300 underline" href={back.href}>
          ← {back.label}
        </a>
      )}
      {title !== undefined && (
        <header className="mb-6 flex flex-wrap items-end justify-between gap-3">
          <div className="max-w-3xl">
            <h1 className="text-2xl font-semibold tracking-tight text-zinc-50 sm:text-3xl">{title}</h1>
            {intro && <p className="mt-2 text-sm leading-relaxed text-zinc-400">{intro}</p>}
          </div>
          {actions}
        </header>
      )}
      {children}
    </main>
  );
}
