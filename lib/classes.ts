/**
 * The ten Fashion-MNIST classes and the one way to turn what a person typed into a class index.
 * Pure (no Node APIs): the browser imports it too.
 */
import { UserFacingError } from './errors';

/** Index = label value in the IDX label files. */
export const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export type ClassName = (typeof CLASS_NAMES)[number];
export const NUM_CLASSES = CLASS_NAMES.length;

/** Lower case, with spaces, hyphens, underscores and slashes dropped: 'Ankle boot' -> 'ankleboot'. */
const canonical = (s: string): string => s.toLowerCase().replace(/[\s\-_/]+/g, '');

/** Extra spellings people use; the official names are accepted anyway. */
const ALIASES: Record<string, number> = {
  tshirt: 0,
  top: 0,
  tee: 0,
  trousers: 1,
  pants: 1,
  sweater: 2,
  sandals: 5,
  sneakers: 7,
  ankleboots: 9,
  boot: 9,
};

const BY_NAME: ReadonlyMap<string, number> = new Map([
  ...CLASS_NAMES.map((name, i) => [canonical(name), i] as const),
  ...Object.entries(ALIASES),
]);

export const VALID_CLASSES_HINT = CLASS_NAMES.map((n, i) => `${i} ${n}`).join(', ');

/**
 * Accepts an index (3, '3') or a name in any case and with spaces or hyphens ('dress',
 * 'Ankle boot', 'ankle-boot', 't-shirt'); throws a UserFacingError listing the valid classes.
 */
export function parseClass(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0 && input < NUM_CLASSES) return input;
    throw new UserFacingError(`Class ${input} does not exist: use 0-9 or a name (${VALID_CLASSES_HINT}).`);
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return parseClass(Number(text));
  const found = BY_NAME.get(canonical(text));
  if (found === undefined) {
    throw new UserFacingError(`Unknown class "${input}": use 0-9 or a name (${VALID_CLASSES_HINT}).`);
  }
  return found;
}

export const className = (index: number): ClassName => {
  const name = CLASS_NAMES[index];
  if (name === undefined) throw new RangeError(`class index ${index} is outside 0-${NUM_CLASSES - 1}`);
  return name;
};
