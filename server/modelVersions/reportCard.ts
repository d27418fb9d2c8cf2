/**
 * A CNN version's report card for its page (server/ml/assessment/reportCard.ts). Drawn from the
 * version's stored session assessment when it has the confusion matrix and the most confident
 * mistakes (the test images are read again, no model runs); otherwise the quick assessment runs
 * on the whole test set in a worker thread first, and that card is also kept under
 * `${DATA_DIR}/report-cards/` (a version's files do not change). Every card is kept in memory.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db, ModelVersion } from '../db';
import { runQuickInWorker } from '../ml/assessment/runQuick';
import type { Mistake } from '../ml/assessment/quick';
import { findVersion, versionDir } from './catalog';

interface CardFigures {
  accuracy: number;
  testImages: number;
  perClassAccuracy: number[];
  confusionMatrix: number[][];
  confidentMistakes: Mistake[];
  dataDir: string;
}

const isCardFigures = (m: unknown): m is CardFigures => {
  const o = m as Partial<CardFigures> | null;
  return (
    !!o &&
    typeof o.accuracy === 'number' &&
    Array.isArray(o.confusionMatrix) &&
    o.confusionMatrix.length === 10 &&
    Array.isArray(o.confidentMistakes) &&
    typeof o.dataDir === 'string' &&
    existsSync(o.dataDir)
  );
};

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
      card = this.load(versionId);
      this.cache.set(versionId, card);
      card.catch(() => this.cache.delete(versionId));
    }
    return card;
  }

  private async load(versionId: number): Promise<Buffer> {
    const db = await this.getDb();
    const version = await findVersion(db, versionId, 'cnn');
    const { resolveDataDir } = await import('../ml/data/fashionMnist');
    const stored = (
      await db.assessment.findMany({
        where: { modelVersionId: version.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 20,
      })
    )
      .map((a) => a.metrics as unknown)
      .find(isCardFigures);
    if (stored) return this.draw(version, stored);
    // The whole test set through the model: seconds of CPU, so the picture is kept on disk too.
    const dataDir = path.resolve(this.dataDir ?? resolveDataDir('test').dir);
    const { dataDir: playgroundDir } = await import('../env');
    const key = createHash('sha256')
      .update(`${versionDir(version)}\0${version.trainingLogHash}\0${dataDir}`)
      .digest('hex')
      .slice(0, 16);
    const file = path.join(playgroundDir(), 'report-cards', `${key}.png`);
    const kept = await readFile(file).catch(() => null);
    if (kept) return kept;
    const figures = (await runQuickInWorker({
      kind: 'cnn',
      modelDir: versionDir(version),
      dataDir,
      judgeDir: '',
    })) as unknown as CardFigures;
    const card = await this.draw(version, figures);
    await mkdir(path.dirname(file), { recursive: true })
      .then(() => writeFile(file, card))
      .catch((err: unknown) =>
        console.error(`[models] could not keep the report card ${file}:`, err instanceof Error ? err.message : err),
      );
    return card;
  }

  private async draw(version: ModelVersion, figures: CardFigures): Promise<Buffer> {
    const { loadSplit } = await import('../ml/data/fashionMnist');
    const test = await loadSplit('test', figures.dataDir);
    const { drawReportCard } = await import('../ml/assessment/reportCard');
    return drawReportCard({
      title: `CNN version ${version.id} · ${version.name}`,
      accuracy: figures.accuracy,
      testImages: figures.testImages,
      perClassAccuracy: figures.perClassAccuracy,
      confusionMatrix: figures.confusionMatrix,
      mistakes: figures.confidentMistakes
        .filter((m) => m.index < test.count)
        .map((m) => ({ ...m, image: test.images.slice(m.index * 784, (m.index + 1) * 784) })),
    });
  }
}
