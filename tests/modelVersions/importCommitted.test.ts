/**
 * What /models and /assessments show for the committed classifier before anyone runs a CLI: the
 * figures of the model as it was saved, read from its training log.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { committedCnnFigures } from '../../server/modelVersions/importCommitted';

const evaluation = (test: number, extra: Record<string, unknown> = {}) => ({
  testAccuracy: test,
  testLoss: 0.3,
  perClassAccuracy: Array.from({ length: 10 }, () => test),
  confusionMatrix: [],
  ...extra,
});

describe('committedCnnFigures', () => {
  it('gives the served (mirror-averaging) figures of the committed models/cnn, with the network alone beside them', async () => {
    const log = JSON.parse(await readFile('models/cnn/training-log.json', 'utf8'));
    const f = committedCnnFigures(log)!;
    expect(f.weights).toBe('served (mirror averaging)');
    expect(f.testAccuracy).toBe(log.mirrorAveraging.withMirror.testAccuracy);
    expect(f.bareAccuracy).toBe(log.mirrorAveraging.withoutMirror.testAccuracy);
    expect(f.perClassAccuracy).toEqual(log.mirrorAveraging.withMirror.perClassAccuracy);
    expect(f.epoch).toBe(log.selection.best.epoch + 1);
  });

  it('gives the weights chosen on validation, not the last epoch: an average of an earlier epoch', () => {
    const log = {
      epochs: [
        { epoch: 0, evaluation: evaluation(0.8, { average: evaluation(0.81) }) },
        { epoch: 1, evaluation: evaluation(0.9, { average: evaluation(0.93) }) },
        { epoch: 2, evaluation: evaluation(0.92, { average: evaluation(0.91) }) },
      ],
      selection: { best: { weights: 'average', epoch: 1 } },
    };
    expect(committedCnnFigures(log)).toMatchObject({ testAccuracy: 0.93, epoch: 2, weights: 'average' });
    expect(committedCnnFigures({ ...log, selection: { best: { weights: 'trained', epoch: 2 } } })).toMatchObject({
      testAccuracy: 0.92,
      epoch: 3,
      weights: 'trained',
    });
  });

  it('gives the last epoch without a validation choice, and nothing for a log without epochs', () => {
    const log = {
      epochs: [
        { epoch: 0, evaluation: evaluation(0.5) },
        { epoch: 1, evaluation: evaluation(0.7) },
      ],
    };
    expect(committedCnnFigures(log)).toMatchObject({ testAccuracy: 0.7, epoch: 2, weights: 'trained' });
    expect(committedCnnFigures({ epochs: [] })).toBeNull();
    expect(committedCnnFigures({})).toBeNull();
  });
});
