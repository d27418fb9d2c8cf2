/**
 * The drawing canvas as pages import it: Konva touches `window` when loaded, so the Konva component
 * is loaded in the browser only, with a same-sized placeholder meanwhile.
 */
'use client';

import dynamic from 'next/dynamic';

export const DrawingCanvas = dynamic(() => import('./SketchCanvas'), {
  ssr: false,
  loading: () => <div className="aspect-square w-full animate-pulse rounded-xl bg-zinc-200" />,
});
