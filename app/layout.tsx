/** The root layout: document shell, global styles and the site header shared by every page. */
import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { PAGE_ORIGIN_HEADER } from '../lib/pages';
import type { ReactNode } from 'react';
import { ConnectionNotice } from './components/ConnectionNotice';
import { MENU } from './rooms';
import './globals.css';

const description = 'Train, test and play with a small image classifier for Fashion-MNIST, live in the browser.';

/**
 * The social preview (a link shared in a chat or a post) is app/opengraph-image.png with its alt
 * text beside it (npm run social-preview draws it); Next.js writes its og:image tags itself. It
 * makes the picture's address absolute with `metadataBase`: the origin the server says the page is
 * served from (PUBLIC_URL's, else the request's Host), as pages are rendered per request.
 */
export async function generateMetadata(): Promise<Metadata> {
  const origin = (await headers()).get(PAGE_ORIGIN_HEADER);
  return {
    ...(origin && { metadataBase: new URL(origin) }),
    // A page's own title reads "Draw a garment · Fashion-MNIST Playground"; the home page's is the name alone.
    title: { default: 'Fashion-MNIST Playground', template: '%s · Fashion-MNIST Playground' },
    description,
    openGraph: {
      type: 'website',
      siteName: 'Fashion-MNIST Playground',
      title: 'Fashion-MNIST Playground',
      description,
    },
    twitter: { card: 'summary_large_image' },
  };
}

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#09090b',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry that response's CSP nonce
  // (server/http/security.ts), which a page prerendered at build time could not have.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">
        <header className="border-b border-zinc-800/80">
          <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-4 sm:px-6">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <img src="/icon.svg" alt="" width={28} height={28} className="rounded-md" />
              Fashion-MNIST Playground
            </Link>
            <nav aria-label="Main" className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-zinc-400">
              {MENU.map((room) => (
                <Link key={room.href} href={room.href} className="hover:text-zinc-100">
                  {room.menu}
                </Link>
              ))}
            </nav>
          </div>
        </header>
        <ConnectionNotice />
        {children}
      </body>
    </html>
  );
}
