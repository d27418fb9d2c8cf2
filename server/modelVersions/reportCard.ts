/**
 * A CNN version's report card for its page: the quick assessment (whole test set, in a worker
 * thread) drawn as one PNG (server/ml/assessment/reportCard.ts). Drawn once per version and kept
 * in memory: a version's files do not change.
 */
import type { Db } from '../db';
import { runQuickInWorker } from '../ml/assessment/runQuick';
import type { Mistake } from '../ml/assessment/quick';
import { findVersion, versionDir } from './catalog';

export class ReportCards {
  private readonly cache = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly getDb: () => Promise<Db>,
    /** Folder with the t10k files; unset: the usual resolution. */
    private readonly dataDir?: string,
  ) {}

  get(versionId: number): Promise<Buffer> {
    let card = this.cache.get(versionId);
    if (!card) {
      card = this.draw(versionId);
      this.cache.set(versionId, card);
      card.catch(() => this.cache.delete(versionId));
    }
    return card;
  }

  private async draw(versionId: number): Promise<Buffer> {
    const version = await findVersion(await this.getDb(), versionId, 'cnn');
    const { resolveDataDir, loadSplit } = await import('../ml/data/fashionMnist');
    const dataDir = this.dataDir ?? resolveDataDir('test').dir;
    const r = await runQuickInWorker({ kind: 'cnn', modelDir: versionDir(version), dataDir, judgeDir: '' });
    const test = await loadSplit('test', dataDir);
    const { drawReportCard } = await import('../ml/assessment/reportCard');
    return drawReportCard({
      title: `CNN version ${version.id} · ${version.name}`,
      accuracy: r.accuracy as number,
      testImages: r.testImages as number,
      perClassAccuracy: r.perClassAccuracy as number[],
      confusionMatrix: r.confusionMatrix as number[][],
      mistakes: (r.confidentMistakes as Mistake[]).map((m) => ({ ...m, image: test.images.slice(m.index * 784, (m.index + 1) * 784) })),
    });
  }
}
