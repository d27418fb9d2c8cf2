/**
 * The 28x28 image the model sees (the shared preprocessing run in the browser), drawn pixel for
 * pixel and scaled up without smoothing.
 */
'use client';

import { useEffect, useRef } from 'react';
import { IMAGE_PIXELS } from '../../../lib/image';

export function ModelView({
  image,
  size = 112,
  testId = 'model-view',
}: {
  image: Float32Array | null;
  size?: number;
  testId?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const data = ctx.createImageData(28, 28);
    for (let p = 0; p < IMAGE_PIXELS; p++) {
      const v = Math.round((image?.[p] ?? 0) * 255);
      data.data.set([v, v, v, 255], p * 4);
    }
    ctx.putImageData(data, 0, 0);
  }, [image]);
  return (
    <canvas
      ref={canvas}
      width={28}
      height={28}
      data-testid={testId}
      className="rounded-md border border-zinc-800 bg-black [image-rendering:pixelated]"
      style={{ width: size, height: size }}
      aria-label="The 28 by 28 pixel image the model sees"
    />
  );
}
