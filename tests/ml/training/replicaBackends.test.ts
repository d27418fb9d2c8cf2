/**
 * Data-parallel replicas must all run the same backend (issue 20): the run refuses to start with a
 * sentence naming each replica's backend when they differ, as when tfjs-node loads in the first
 * worker thread only (tfjs issue 8388).
 */
import { describe, expect, it } from 'vitest';
import { backendDisagreement } from '../../../server/ml/training/run';

describe('replica backends', () => {
  it('lets replicas on one backend train', () => {
    expect(
      backendDisagreement([
        { replica: 1, backend: 'wasm' },
        { replica: 0, backend: 'wasm' },
      ]),
    ).toBeNull();
    expect(backendDisagreement([{ replica: 0, backend: 'tfjs-node' }])).toBeNull();
  });

  it('refuses replicas on different backends, naming each in order', () => {
    expect(
      backendDisagreement([
        { replica: 1, backend: 'wasm' },
        { replica: 0, backend: 'tfjs-node' },
      ]),
    ).toBe(
      'The training replicas run on different backends (replica 0 tfjs-node, replica 1 wasm); train with one replica or set TFJS_BACKEND.',
    );
  });
});
