/**
 * Interactive evolution in latent space: the next round's latents are bred from the last round's
 * winners. A child is a crossover of two winners (a random blend per dimension) or a copy of one,
 * then mutated by Gaussian noise; it keeps the label of the parent it mostly came from. Every
 * child records its parents, which is the lineage a gallery item shows. Pure and seeded.
 */
import { mulberry32, randomInt, type Random } from '../../ml/data/random';
import { applyClassPrior, type ClassPriors } from '../../ml/models/classPrior';

export interface Parent {
  candidateId: number;
  label: number;
  latent: Float32Array;
}

export interface Child {
  label: number;
  latent: Float32Array;
  origin: 'fresh' | 'mutation' | 'crossover';
  parentIds: number[];
}

export interface BreedingOptions {
  /** Standard deviation of the mutation noise (the prior's is 1). */
  mutation: number;
  /** Share of children that are crossovers (needs two winners of one class). */
  crossover: number;
}

export const DEFAULT_BREEDING: BreedingOptions = { mutation: 0.35, crossover: 0.5 };

function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** `count` children of `parents` (at least one), deterministic under `seed`. */
export function breed(
  parents: readonly Parent[],
  count: number,
  seed: number,
  options: BreedingOptions = DEFAULT_BREEDING,
): Child[] {
  if (parents.length === 0) throw new RangeError('breeding needs at least one parent');
  const random = mulberry32(seed);
  const size = parents[0]!.latent.length;
  const children: Child[] = [];
  for (let i = 0; i < count; i++) {
    // Round-robin over parents so every winner has offspring, even with few children.
    const a = parents[i % parents.length]!;
    const mates = parents.filter((p) => p !== a && p.label === a.label);
    const cross = mates.length > 0 && random() < options.crossover;
    const b = cross ? mates[randomInt(random, mates.length)]! : null;
    const latent = new Float32Array(size);
    for (let d = 0; d < size; d++) {
      const base = b ? (random() < 0.5 ? a.latent[d]! : b.latent[d]!) : a.latent[d]!;
      latent[d] = base + options.mutation * gaussian(random);
    }
    children.push({
      label: a.label,
      latent,
      origin: b ? 'crossover' : 'mutation',
      parentIds: b ? [a.candidateId, b.candidateId] : [a.candidateId],
    });
  }
  return children;
}

/** The classes of a round's slots: all `label`, or spread over the classes from a seeded start. */
export function slotLabels(label: number | null, count: number, seed: number): number[] {
  const offset = randomInt(mulberry32(seed ^ 0x5bd1e995), 10);
  return Array.from({ length: count }, (_, i) => label ?? (offset + i) % 10);
}

/** Fresh draws from the prior, one per label. */
export function freshDraws(labels: readonly number[], latentSize: number, seed: number, prior?: ClassPriors): Child[] {
  const random = mulberry32(seed);
  return labels.map((label) => {
    const latent = Float32Array.from({ length: latentSize }, () => gaussian(random));
    // From the class's fitted latent density when the model has one (where the decoder was trained).
    if (prior) applyClassPrior(prior, latent, Uint8Array.of(label), random);
    return { label, latent, origin: 'fresh' as const, parentIds: [] };
  });
}
