/** The root layout: document shell, global styles and the site header shared by every page. */
import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Fashion-MNIST Playground',
  description: 'Train, test and play with a small image classifier for Fashion-MNIST, live in the browser.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#09090b',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">
        <header className="border-b border-zinc-800/80">
          <div className="mx-auto flex max-w-5xl items-center gap-3 px-4 py-4 sm:px-6">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <img src="/icon.svg" alt="" width={28} height={28} className="rounded-md" />
              Fashion-MNIST Playground
            </Link>
          </div>
        </header>
        {children}
      </body>
    </html>
  );
}
