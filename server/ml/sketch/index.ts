/**
 * Drawings for the garment classifier: the one preprocessing of strokes or canvas bitmaps into
 * Fashion-MNIST's 28x28 convention (preprocess.ts, with stroke rendering in rasterize.ts),
 * synthetic outline drawings made from photos (sketchify.ts) and the drawing
 * evaluation set built from the test images (drawingSet.ts, Node only). preprocess.ts, rasterize.ts
 * and sketchify.ts are pure: app/ imports them directly, since this index also pulls in Node modules.
 */
export * from '../../../lib/sketch/preprocess';
export * from './sketchify';
export * from './drawingSet';
