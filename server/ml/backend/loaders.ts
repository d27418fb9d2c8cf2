/**
 * How each TensorFlow.js backend is loaded in Node. The native packages are optional dependencies
 * whose install fails offline, so they are imported dynamically by a name TypeScript and bundlers
 * do not resolve ahead of time.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../env';
import type { BackendLoader } from './choose';
import { registerFastWasmKernels } from './kernels';

async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

/** The wasm binaries ship inside the npm package; point at them so no fetch is attempted. */
function wasmFolder(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

let wasmPathsSet = false;

export const nodeLoaders: Record<BackendName, BackendLoader> = {
  'tfjs-node-gpu': async () => {
    await importOptional('@tensorflow/tfjs-node-gpu');
    await activate('tensorflow');
  },
  'tfjs-node': async () => {
    await importOptional('@tensorflow/tfjs-node');
    await activate('tensorflow');
  },
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasm.setWasmPaths(wasmFolder());
      wasmPathsSet = true;
    }
    registerFastWasmKernels();
    await activate('wasm');
    return { simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) };
  },
  cpu: async () => {
    await activate('cpu');
  },
};
