import { describe, expect, it } from 'vitest';
import { chooseBackend, initBackend, backendInfo, tf } from '../../../server/ml/backend';
import { BACKEND_NAMES, env, type BackendName } from '../../../server/env';
import { UserFacingError } from '../../../server/errors';
import { FAST_WASM_KERNELS } from '../../../server/ml/backend/kernels';
import { transposeConfig } from '../../../server/ml/backend/kernels/transpose';

/** Loaders that record the order they were called in; `available` ones succeed. */
function stubLoaders(available: BackendName[]) {
  const calls: BackendName[] = [];
  const loaders = Object.fromEntries(
    BACKEND_NAMES.map((name) => [
      name,
      async () => {
        calls.push(name);
        if (!available.includes(name)) {
          throw Object.assign(new Error(`Cannot find package '@tensorflow/${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
        }
        return name === 'wasm' ? { simd: true } : undefined;
      },
    ]),
  ) as Record<BackendName, () => Promise<{ simd?: boolean } | undefined>>;
  return { calls, loaders };
}

describe('chooseBackend', () => {
  it('auto tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order and stops at the first that loads', async () => {
    const { calls, loaders } = stubLoaders(['wasm', 'cpu']);
    const info = await chooseBackend('auto', loaders);
    expect(calls).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm']);
    expect(info).toEqual({
      name: 'wasm',
      simd: true,
      tried: [
        { name: 'tfjs-node-gpu', error: 'not installed' },
        { name: 'tfjs-node', error: 'not installed' },
      ],
    });
  });

  it('auto falls through to cpu when wasm fails, keeping the reason', async () => {
    const { loaders } = stubLoaders(['cpu']);
    loaders.wasm = async () => {
      throw new Error('WebAssembly is not supported\nstack...');
    };
    const info = await chooseBackend('auto', loaders);
    expect(info.name).toBe('cpu');
    expect(info.tried.at(-1)).toEqual({ name: 'wasm', error: 'WebAssembly is not supported' });
  });

  it('auto takes tfjs-node-gpu when it is there', async () => {
    const { calls, loaders } = stubLoaders([...BACKEND_NAMES]);
    expect((await chooseBackend('auto', loaders)).name).toBe('tfjs-node-gpu');
    expect(calls).toEqual(['tfjs-node-gpu']);
  });

  it('a forced backend is the only one tried', async () => {
    const { calls, loaders } = stubLoaders([...BACKEND_NAMES]);
    expect((await chooseBackend('cpu', loaders)).name).toBe('cpu');
    expect(calls).toEqual(['cpu']);
  });

  it('a forced backend that cannot load is a UserFacingError naming it and the alternatives', async () => {
    const { calls, loaders } = stubLoaders(['wasm', 'cpu']);
    const attempt = chooseBackend('tfjs-node', loaders);
    await expect(attempt).rejects.toBeInstanceOf(UserFacingError);
    await expect(attempt).rejects.toThrow(
      'TFJS_BACKEND=tfjs-node cannot be loaded (not installed); set TFJS_BACKEND to auto or one of tfjs-node-gpu, wasm, cpu.',
    );
    expect(calls).toEqual(['tfjs-node']);
  });

  it('nothing loadable is a UserFacingError listing every reason', async () => {
    const { loaders } = stubLoaders([]);
    await expect(chooseBackend('auto', loaders)).rejects.toThrow(/tfjs-node-gpu: not installed; .*cpu: not installed/);
  });
});

describe('initBackend (real packages)', () => {
  it('activates the chosen backend once, with our kernels on wasm', async () => {
    const first = initBackend();
    expect(initBackend()).toBe(first);
    const info = await first;
    expect(backendInfo()).toBe(info);
    const active = tf.getBackend();
    expect(active).toBe(info.name.startsWith('tfjs-node') ? 'tensorflow' : info.name);
    if (env.TFJS_BACKEND === 'auto') {
      // Offline, the native packages fail to install; wasm is what this machine runs.
      expect(info.tried.map((t) => t.name)).toEqual(BACKEND_NAMES.slice(0, BACKEND_NAMES.indexOf(info.name)));
    }
    if (info.name === 'wasm') {
      expect(info.simd).toBeTypeOf('boolean');
      for (const name of FAST_WASM_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(tf.getKernel('Transpose', 'wasm')!.kernelFunc).toBe(transposeConfig.kernelFunc);
    }
  });
});
