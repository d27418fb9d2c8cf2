/**
 * The playground's rooms, written once: where each lives, its word in the site menu, its title and
 * the line or two that introduces it. The menu (layout.tsx), the home page's list of rooms and each
 * room's page (its heading and the document title, through `roomPage`) all read them from here, so
 * a room is renamed or reworded in one place.
 */
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Page, type PageFrame } from './components/Page';

type Room = {
  href: string;
  title: string;
  intro?: ReactNode;
  /** Its word in the site menu; a room without one is reached from another page. */
  menu?: string;
  /** Metadata beyond the title (e.g. an operator's page kept out of search engines). */
  metadata?: Metadata;
  narrow?: boolean;
};

const link = (href: string, text: string) => (
  <a className="text-indigo-300 underline" href={href}>
    {text}
  </a>
);

export const ROOMS = {
  sessions: {
    href: '/sessions',
    menu: 'Train',
    title: 'Train together',
    intro:
      'Start a training session and share its link: everyone who opens it watches the same model learn, live, batch by batch. The host starts, pauses and stops it; when it finishes, the model is kept and the session can be replayed.',
  },
  draw: {
    href: '/draw',
    menu: 'Draw',
    title: 'Draw a garment',
    intro: 'Draw with a mouse, a finger or a pen. The model guesses while you draw.',
  },
  drawTogether: {
    href: '/draw/together',
    title: 'Draw together',
    intro: 'One person draws a secret garment; the others watch it appear and race the model to name it.',
  },
  vote: {
    href: '/vote',
    menu: 'Vote',
    title: 'Vote on generated garments',
    intro: (
      <>
        The VAE draws candidates (each the best of several, as judged by the CNN). Keep or discard them; when the round
        closes, the best go to the {link('/gallery', 'gallery')} and the next round is bred from them.
      </>
    ),
  },
  gallery: {
    href: '/gallery',
    menu: 'Gallery',
    title: 'Community gallery',
    intro: (
      <>
        Garments the community voted into the gallery. {link('/vote', 'Vote on new ones')} ·{' '}
        {link('/collections', 'collections')}
      </>
    ),
  },
  collections: {
    href: '/collections',
    menu: 'Collections',
    title: 'Collections',
    intro: 'Gallery garments and drawings gathered under a title: your own, and everyone’s public ones.',
  },
  sketches: {
    href: '/sketches',
    menu: 'Sketches',
    title: 'Sketchbook',
    intro: 'Drawings people made and labelled, as the model sees them. They help the model learn drawings better.',
  },
  models: {
    href: '/models',
    menu: 'Models',
    title: 'Models',
    intro: (
      <>
        Every trained model is a version you can pick: recognizers (CNN) on {link('/draw', 'Draw')}, generators (VAE) on{' '}
        {link('/vote', 'Vote')}. Only the operator changes which one is served by default.
      </>
    ),
  },
  assessments: {
    href: '/assessments',
    menu: 'Assessments',
    title: 'Assessments',
    intro: (
      <>
        Every evaluation stored by <code>npm run eval:cnn -- --save</code>, <code>npm run assess</code> or a finished
        session, per model version. Tick two to compare them side by side.
      </>
    ),
  },
  admin: {
    href: '/admin',
    title: 'Moderation',
    narrow: true,
    metadata: { robots: { index: false } },
    intro:
      'For the operator (the server’s ADMIN_TOKEN). Hidden things disappear from every page at once; nothing is deleted, and showing one again brings it back.',
  },
} satisfies Record<string, Room>;

export type RoomName = keyof typeof ROOMS;

/** The rooms in the site menu, in its order. */
export const MENU = (Object.values(ROOMS) as Room[]).filter((r): r is Room & { menu: string } => r.menu !== undefined);

/** What a room's route shows besides its entry above: its children and header actions. */
export type RoomFrame = Omit<PageFrame, 'title' | 'intro' | 'narrow'>;
/** The address's query, as Next.js hands it to a page. */
export type SearchParams = Record<string, string | string[] | undefined>;

/**
 * A room's route file exports, from its entry above and what it shows:
 *
 *   const room = roomPage('gallery', { children: <GalleryBrowser /> });
 *   export const metadata = room.metadata;
 *   export default room.Page;
 *
 * A room that reads its address's query passes a function of it instead; only such a room waits
 * for the query (which makes its page render per request), the others stay static.
 */
export function roomPage(name: RoomName, frame: RoomFrame | ((query: SearchParams) => RoomFrame)) {
  const room: Room = ROOMS[name];
  const framed = (f: RoomFrame) => <Page title={room.title} intro={room.intro} narrow={room.narrow} {...f} />;
  return {
    metadata: { title: room.title, ...room.metadata } satisfies Metadata,
    Page:
      typeof frame === 'function'
        ? // biome-ignore lint/correctness/noComponentHookFactories: made once per route file as it loads, never during a render
          async function RoomPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
            return framed(frame(await searchParams));
          }
        : // biome-ignore lint/correctness/noComponentHookFactories: made once per route file as it loads, never during a render
          function RoomPage() {
            return framed(frame);
          },
  };
}
