/**
 * A round's candidates from a VAE decoder and the judge CNN: for each slot (a fresh draw or a child
 * of the winners) draw `bestOf` variants, judge them all in one pass and keep each slot's most
 * confident variant (quality-guided, best-of-N per candidate). Synchronous tfjs work: run it in
 * the generator worker, not on the thread that serves sockets.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { confidenceOf, judgeImages, type Judge } from '../../ml/models/judge';
import { decodeLatents } from '../../ml/models/sample';
import type { ClassPriors } from '../../ml/models/classPrior';
import { encodeGreyPng } from '../../ml/image';
import { decoderLatentSize } from '../../ml/models/vae';
import { breed, freshDraws, slotLabels, type Child, type Parent } from './breeding';
import { imageAt } from '../../../lib/image';

export const MAX_BEST_OF = 64;
export const MAX_CANDIDATES_PER_ROUND = 24;

/** `vaeDir`: another VAE folder than the served one (a live session's epoch snapshot). */
export type GenerationRequest = (
  | { kind: 'fresh'; label: number | null; count: number; bestOf: number; seed: number }
  | {
      kind: 'bred';
      parents: { candidateId: number; label: number; latent: number[] }[];
      count: number;
      bestOf: number;
      seed: number;
      mutation?: number;
    }
) & { vaeDir?: string };

export interface GeneratedCandidate {
  label: number;
  latent: number[];
  confidence: number;
  /** 28x28 PNG */
  png: Uint8Array;
  origin: Child['origin'];
  parentIds: number[];
}

export function generateCandidates(
  decoder: tfTypes.LayersModel,
  judge: Judge,
  req: GenerationRequest,
  prior?: ClassPriors,
): GeneratedCandidate[] {
  const latentSize = decoderLatentSize(decoder);
  const bestOf = Math.max(1, Math.min(MAX_BEST_OF, Math.floor(req.bestOf)));
  const count = Math.max(1, Math.min(MAX_CANDIDATES_PER_ROUND, Math.floor(req.count)));
  // Variant v of slot s is pool[s * bestOf + v]; each is an independent draw from the same recipe.
  const pool: Child[] = [];
  const labelsOfSlots = req.kind === 'fresh' ? slotLabels(req.label, count, req.seed) : [];
  for (let v = 0; v < bestOf; v++) {
    const seed = (req.seed * 7919 + v * 104729) >>> 0;
    const drawn =
      req.kind === 'fresh'
        ? freshDraws(labelsOfSlots, latentSize, seed, prior)
        : breed(toParents(req.parents, latentSize), count, seed, { mutation: req.mutation ?? 0.35, crossover: 0.5 });
    drawn.forEach((child, s) => (pool[s * bestOf + v] = child));
  }
  const labels = Uint8Array.from(pool, (c) => c.label);
  const latents = new Float32Array(pool.length * latentSize);
  pool.forEach((c, i) => latents.set(c.latent, i * latentSize));
  const images = decodeLatents(decoder, latents, labels);
  const confidence = confidenceOf(judgeImages(judge, images), labels);
  const out: GeneratedCandidate[] = [];
  for (let s = 0; s < count; s++) {
    let best = s * bestOf;
    for (let i = best + 1; i < (s + 1) * bestOf; i++) if (confidence[i]! > confidence[best]!) best = i;
    const child = pool[best]!;
    out.push({
      label: child.label,
      latent: Array.from(child.latent),
      confidence: confidence[best]!,
      png: new Uint8Array(encodeGreyPng(imageAt(images, best), 28, 28)),
      origin: child.origin,
      parentIds: child.parentIds,
    });
  }
  return out;
}

function toParents(parents: { candidateId: number; label: number; latent: number[] }[], latentSize: number): Parent[] {
  if (parents.length === 0) throw new RangeError('a bred round needs at least one winner');
  return parents.map((p) => {
    if (p.latent.length !== latentSize)
      throw new RangeError(`a parent latent of ${p.latent.length} values does not fit a decoder with ${latentSize}`);
    return { candidateId: p.candidateId, label: p.label, latent: Float32Array.from(p.latent) };
  });
}
