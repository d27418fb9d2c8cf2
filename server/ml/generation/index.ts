/**
 * Generation with the conditional VAE: seeded sampling from the decoder (sample.ts), quality-guided
 * best-of-N with the judge CNN and diversity-aware selection (select.ts), PNG grids of samples
 * (render.ts) and the benchmark figures bench:ml prints (bench.ts). Quality measurement lives in
 * ../assessment.
 */
export * from '../models/sample';
export * from './select';
export * from './render';
export { vaeBenchmarks, type VaeBenchmarks } from './bench';
