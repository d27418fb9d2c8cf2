/** Where the committed Fashion-MNIST subset lives, and temp folders for bad files. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/fashion-mnist');

/** A fresh temp folder; call the returned function to delete it. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fmnist-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
