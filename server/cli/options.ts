/**
 * Shared command-line parsing glue: commander reads the flags, the same Zod schemas that guard the
 * network validate the values, and a bad value becomes one sentence naming the flag.
 */
import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { UserFacingError } from '../errors';

export function numberOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

/** --temperature of the sampling CLIs: the latent standard deviation, above 0 and at most 3. */
export function checkTemperature(value: number): void {
  if (!(value > 0 && value <= 3))
    throw new UserFacingError(`--temperature must be above 0 and at most 3 (got ${value}).`);
}

/** Config fields whose flag is not their name in kebab case. */
const FLAG_OF: Record<string, string> = {
  validationCount: '--validation',
  drawingEvalCount: '--drawing-eval',
  outDir: '--out',
};

const flag = (key: string): string => FLAG_OF[key] ?? '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

export function configFromOptions<S extends z.ZodType>(schema: S, values: Record<string, unknown>): z.infer<S> {
  const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const result = schema.safeParse(clean);
  if (!result.success) {
    const msg = result.error.issues.map((i) => `${flag(String(i.path[0] ?? 'option'))}: ${i.message}`).join('; ');
    throw new UserFacingError(`Invalid option ${msg}.`);
  }
  return result.data;
}
