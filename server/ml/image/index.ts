/**
 * The one image-encoding module: grey images and labelled grids of 28x28 images as RGBA
 * (raster.ts, with the 5x7 caption font of font.ts) and as PNG bytes or data URLs (png.ts).
 * Browser code imports './raster' directly: it is pure, while png.ts needs Node's Buffer.
 */
export * from './font';
export * from './raster';
export * from './png';
