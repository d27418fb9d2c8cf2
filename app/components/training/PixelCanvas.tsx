/**
 * Pictures on canvas, pixel-sharp: a PNG (data URL) of small images, drawn without smoothing at
 * the largest zoom that fits the container, so 28x28 garments stay crisp instead of blurred.
 */
'use client';

import { useEffect, useRef, useState } from 'react';

export function PixelCanvas({
  src,
  alt,
  maxScale = 4,
  testId,
}: {
  src: string;
  alt: string;
  maxScale?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!width) return;
    const img = new Image();
    let cancelled = false;
    img.onload = () => {
      const c = canvas.current;
      if (cancelled || !c) return;
      const dpr = window.devicePixelRatio || 1;
      // Whole zooms from 2x up keep every source pixel the same size; below that, filling the
      // width matters more than perfectly even pixels (a phone's high-density screen hides it).
      const fit = Math.min(maxScale, width / img.width);
      const cssScale = fit >= 2 ? Math.floor(fit) : fit;
      c.style.width = `${img.width * cssScale}px`;
      c.style.height = 'auto';
      c.width = Math.round(img.width * cssScale * dpr);
      c.height = Math.round(img.height * cssScale * dpr);
      const ctx = c.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, 0, 0, c.width, c.height);
    };
    img.src = src;
    return () => {
      cancelled = true;
    };
  }, [src, width, maxScale]);

  return (
    <div ref={box} className="w-full min-w-0">
      <canvas
        ref={canvas}
        role="img"
        aria-label={alt}
        data-testid={testId}
        className="max-w-full [image-rendering:pixelated]"
      />
    </div>
  );
}
