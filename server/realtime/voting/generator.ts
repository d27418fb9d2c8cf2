/**
 * The main thread's side of candidate generation: one long-lived worker (started on first use)
 * holding the decoder and judge, so a round's best-of-N decoding and judging (hundreds of ms)
 * never blocks the thread that serves sockets. Requests queue in the worker, one at a time.
 */
import type { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError, withoutPaths } from '../../errors';
import { spawnTsWorker } from '../../threads/spawn';
import type { GeneratedCandidate, GenerationRequest } from './generation';

type Pending = { resolve: (c: GeneratedCandidate[]) => void; reject: (e: Error) => void; served: boolean };

export class CandidateGenerator {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Milliseconds the worker spent on the last request (for logs and the benchmark). */
  lastMs = 0;
  /** Trainable parameters of the VAE, known after the first request. */
  params = 0;

  constructor(
    readonly vaeDir: string,
    readonly judgeDir: string,
  ) {}

  /** Whether both model folders exist (a missing model is reported to the person starting a round). */
  check(vaeDir = this.vaeDir): void {
    if (!existsSync(path.join(vaeDir, 'decoder', 'model.json')) && !existsSync(path.join(vaeDir, 'model.json'))) {
      throw new UserFacingError(
        `There is no trained VAE in ${vaeDir}, so no candidates can be generated; train one with npm run train:vae.`,
      );
    }
    if (!existsSync(path.join(this.judgeDir, 'model.json'))) {
      throw new UserFacingError(
        `There is no judge CNN in ${this.judgeDir} to rank candidates; train one with npm run train:cnn.`,
      );
    }
  }

  /** Candidates from the served VAE, or from `request.vaeDir` (loaded in the worker, the last few kept). */
  generate(request: GenerationRequest): Promise<GeneratedCandidate[]> {
    // A generator let go while its caller was on its way here: no untracked worker is started.
    if (this.disposed) return Promise.reject(new UserFacingError('The generator was closed meanwhile; try again.'));
    this.check(request.vaeDir);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, served: !request.vaeDir });
      worker.postMessage({ id, request });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnTsWorker(new URL('./generatorWorker.ts', import.meta.url), {
      vaeDir: this.vaeDir,
      judgeDir: this.judgeDir,
    });
    worker.on(
      'message',
      (msg: { id?: number; candidates?: GeneratedCandidate[]; error?: string; ms?: number; params?: number }) => {
        if (msg.id === undefined) return;
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        // The worker's message can name the server's files (a missing snapshot): logged here, not sent.
        if (msg.error !== undefined) {
          console.error(`[vote] generating candidates failed: ${msg.error}`);
          p.reject(new UserFacingError(`Generating candidates failed: ${withoutPaths(msg.error)}`));
        } else {
          this.lastMs = msg.ms ?? 0;
          if (p.served) this.params = msg.params ?? 0;
          p.resolve(msg.candidates!);
        }
      },
    );
    const fail = (err: Error) => {
      this.worker = null;
      for (const p of this.pending.values())
        p.reject(new UserFacingError(`The generator stopped (${withoutPaths(err.message)}); try again.`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker) fail(new Error(`exit code ${code}`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Whether a request is being generated or waits for the worker (such a generator is not let go). */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Stops the worker; a request still pending is answered with an error, never left waiting. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new UserFacingError('The generator was closed; try again.'));
    this.pending.clear();
    if (w) await w.terminate();
  }
}
