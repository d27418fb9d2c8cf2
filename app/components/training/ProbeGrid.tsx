/**
 * The CNN's guesses on the fixed probe images, drawn on one canvas: each garment pixel-sharp, a
 * green or red bar for right or wrong, and the guess with its confidence underneath. The same
 * images every epoch, so scrubbing through epochs shows the guesses change.
 */
'use client';

import { useEffect, useRef, useState } from 'react';
import { SHORT_CLASS_NAMES } from './format';

export interface Probe {
  label: number;
  predicted: number;
  confidence: number;
}

const GAP = 8;
const CAPTION = 40;

function loadImages(srcs: string[]): Promise<HTMLImageElement[]> {
  return Promise.all(
    srcs.map(
      (src) =>
        new Promise<HTMLImageElement>((resolve, reject) => {
          const img = new Image();
          img.onload = () => resolve(img);
          img.onerror = reject;
          img.src = src;
        }),
    ),
  );
}

export function ProbeGrid({ images, probes }: { images: string[]; probes: Probe[] | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [loaded, setLoaded] = useState<HTMLImageElement[]>([]);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    let cancelled = false;
    loadImages(images).then(
      (imgs) => !cancelled && setLoaded(imgs),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [images]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !loaded.length || !width) return;
    // Eight across at 3x zoom where there is room, else four across as large as fits (16 probes: full rows).
    const wide = width >= 8 * 84 + 7 * GAP;
    const cols = wide ? 8 : 4;
    const tile = wide ? 84 : Math.max(28, Math.min(84, Math.floor((width - 3 * GAP) / 4)));
    const rows = Math.ceil(loaded.length / cols);
    const w = cols * tile + (cols - 1) * GAP;
    const h = rows * (tile + CAPTION) + (rows - 1) * GAP;
    const dpr = window.devicePixelRatio || 1;
    c.width = w * dpr;
    c.height = h * dpr;
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, w, h);
    ctx.font = `${tile < 84 ? 10 : 11}px ui-sans-serif, system-ui, sans-serif`;
    ctx.textAlign = 'center';
    loaded.forEach((img, i) => {
      const x = (i % cols) * (tile + GAP);
      const y = Math.floor(i / cols) * (tile + CAPTION + GAP);
      ctx.drawImage(img, x, y, tile, tile);
      const p = probes?.[i];
      if (!p) {
        ctx.fillStyle = '#71717a';
        ctx.fillText('no guess yet', x + tile / 2, y + tile + 13);
        return;
      }
      const right = p.predicted === p.label;
      ctx.fillStyle = right ? '#34d399' : '#fb7185';
      ctx.fillRect(x, y + tile + 2, tile, 3);
      ctx.fillText(SHORT_CLASS_NAMES[p.predicted]!, x + tile / 2, y + tile + 16);
      ctx.fillStyle = '#a1a1aa';
      ctx.fillText(
        `${Math.round(100 * p.confidence)}%${right ? '' : ` · ${SHORT_CLASS_NAMES[p.label]}`}`,
        x + tile / 2,
        y + tile + 29,
      );
    });
  }, [loaded, probes, width]);

  const right = probes?.filter((p) => p.predicted === p.label).length;
  return (
    <div ref={box} className="min-w-0">
      <canvas
        ref={canvas}
        data-testid="probe-grid"
        role="img"
        aria-label={
          probes
            ? `The model's guesses on ${probes.length} test images: ${right} right.`
            : 'Test images the model will guess.'
        }
        className="max-w-full"
      />
    </div>
  );
}
