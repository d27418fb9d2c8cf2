/**
 * Fashion-MNIST data: the IDX format (idx.ts), the ten classes (classes.ts), where the data set
 * lives and loading a split (fashionMnist.ts), the official release's checksums and folder check
 * (official.ts), verified downloads (download.ts), seeded randomness (random.ts) and normalized
 * batches (batches.ts). classes.ts, random.ts and batches.ts are pure and safe in the browser;
 * import them directly there, since this index also pulls in the Node-only modules.
 */
export * from './batches';
export * from '../../../lib/classes';
export * from './download';
export * from './fashionMnist';
export * from './idx';
export * from './official';
export * from './random';
