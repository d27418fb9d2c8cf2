/**
 * Assessments that appear by themselves: when a session's model is registered, a quick assessment
 * (server/ml/assessment/quick.ts) runs in a worker thread, never on the socket thread, one at a
 * time, and is stored through Prisma against the session's model version (source "session"), as
 * the CLIs store theirs. A failure is logged; the session itself is unaffected.
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Db, Prisma } from '../../db';
import { saveAssessment } from '../../db/repositories/assessments';
import { runQuickInWorker } from '../../ml/assessment/runQuick';

export const SESSION_ASSESSMENT_SOURCE = 'session';

export interface AssessorOptions {
  getDb: () => Promise<Db>;
  /** Folder with the t10k files; unset: the usual resolution. */
  dataDir?: string;
  /** The judge of VAE assessments; default MODELS_DIR/cnn. */
  judgeDir?: string;
}

export class SessionAssessor {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private running: Worker | null = null;

  constructor(private readonly options: AssessorOptions) {}

  /** Queues the assessment of a registered model version; resolves when it is stored (or failed). */
  assess(job: { sessionId: string; kind: 'cnn' | 'vae'; modelDir: string; modelVersionId: number }): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.closed) return;
      try {
        const { env } = await import('../../env');
        const { resolveDataDir } = await import('../../ml/data/fashionMnist');
        const dataDir = this.options.dataDir ?? resolveDataDir('test').dir;
        const judgeDir = this.options.judgeDir ?? path.join(env.MODELS_DIR, 'cnn');
        const metrics = await runQuickInWorker(
          { kind: job.kind, modelDir: job.modelDir, dataDir, judgeDir },
          (w) => (this.running = w),
        );
        this.running = null;
        if (this.closed) return;
        await saveAssessment(await this.options.getDb(), job.modelVersionId, SESSION_ASSESSMENT_SOURCE, {
          ...metrics,
          sessionId: job.sessionId,
        } as Prisma.InputJsonValue);
        console.log(`[sessions] assessed the model of ${job.sessionId} in ${Number(metrics.seconds).toFixed(1)} s`);
      } catch (err) {
        console.error(
          `[sessions] could not assess the model of ${job.sessionId}:`,
          err instanceof Error ? err.message : err,
        );
      }
    });
    this.queue = run;
    return run;
  }

  /** Stops the running assessment (server shutdown); queued ones are skipped. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running?.terminate();
  }
}
