/**
 * Starts a training run in worker threads and exposes it as a stream of events plus controls.
 * This is the only entry to training: the CLI subscribes with a progress bar, the live sessions
 * broadcast the same events to viewers. A trainer process with a native backend runs its one
 * replica in its own thread instead (`inProcess`); the events and controls are the same.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../../threads/spawn';
import { UserFacingError } from '../../errors';
import { TrainingConfigSchema, type TrainingConfig, type TrainingConfigInput } from './config';
import type { TrainingEvent, TrainingLog } from './events';
import { type ReplicaMessage, runReplica } from './replica';
import { Command, createSharedMemory, TrainingControl } from './sync';

export interface TrainingPlace {
  /**
   * Train in this thread rather than in worker threads: for a process that serves no sockets and
   * owns a native backend (tfjs-node loads in one thread per process). One replica only.
   */
  inProcess?: boolean;
}

export interface TrainingResult {
  reason: 'completed' | 'stopped';
  log: TrainingLog;
  outDir?: string;
}

export class TrainingRun extends EventEmitter<{ event: [TrainingEvent] }> {
  readonly config: TrainingConfig;
  readonly done: Promise<TrainingResult>;
  private control?: TrainingControl;
  private readonly workers: Worker[] = [];
  private inProcess = false;
  private pendingCommand?: Command;
  private abort?: (message: string) => void;
  private pendingLr?: number;

  constructor(input: TrainingConfigInput, place: TrainingPlace = {}) {
    super();
    this.config = TrainingConfigSchema.parse(input);
    this.done = place.inProcess ? this.startInProcess() : this.start();
    this.done.catch(() => undefined); // failures also arrive as a 'failed' event
  }

  pause(): void {
    this.send(Command.Pause);
  }
  resume(): void {
    this.send(Command.Run);
  }
  stop(): void {
    this.send(Command.Stop);
  }
  /** Replaces the schedule's learning rate from the next step on. */
  setLearningRate(lr: number): void {
    if (this.control) this.control.learningRate = lr;
    else this.pendingLr = lr;
  }

  private send(c: Command): void {
    if (this.control) this.control.command = c;
    else this.pendingCommand = c;
  }

  private startInProcess(): Promise<TrainingResult> {
    if (this.config.replicas !== 1)
      return Promise.reject(
        new UserFacingError(
          `A run in the trainer's own process has one replica (got ${this.config.replicas}); start more trainers instead.`,
        ),
      );
    const { port1, port2 } = new MessageChannel();
    this.inProcess = true;
    const done = this.start([port1]);
    // The replica runs on this thread's event loop, between the coordinator's own callbacks.
    const replica = runReplica({ config: this.config, replica: 0, inProcess: true }, port2);
    // Closed once both ends are through: messages still queued on the channel would be lost.
    void Promise.allSettled([done, replica]).then(() => {
      port1.close();
      port2.close();
    });
    return done;
  }

  private spawnWorkers(): Worker[] {
    for (let r = 0; r < this.config.replicas; r++) {
      const w = spawnTsWorker(new URL('./replicaThread.ts', import.meta.url), { config: this.config, replica: r });
      this.workers.push(w);
    }
    return this.workers;
  }

  /** Coordinates the replicas through their ports: worker threads by default. */
  private start(ports: (Worker | MessagePort)[] = this.spawnWorkers()): Promise<TrainingResult> {
    const n = ports.length;
    return new Promise<TrainingResult>((resolve, reject) => {
      const ready: Extract<ReplicaMessage, { type: 'ready' }>[] = [];
      let settled = false;
      let result: TrainingResult | undefined;
      let finishedWorkers = 0;
      const fail = (message: string, userFacing: boolean): void => {
        if (settled) return;
        settled = true;
        this.workers.forEach((w) => void w.terminate());
        // A replica on this thread cannot be terminated: it stops at its next step.
        if (this.inProcess) this.send(Command.Stop);
        this.emit('event', { type: 'failed', message });
        reject(userFacing ? new UserFacingError(message) : new Error(message));
      };
      this.abort = (message) => fail(message, false);
      ports.forEach((w, r) => {
        if ('terminate' in w) {
          w.on('error', (err) => fail(`training worker ${r} crashed: ${err.message}`, false));
          w.on('exit', (code) => {
            if (code !== 0 && !settled) fail(`training worker ${r} exited with code ${code}`, false);
          });
        }
        w.on('message', (m: ReplicaMessage) => {
          switch (m.type) {
            case 'ready': {
              ready.push(m);
              if (ready.length < n) return;
              const disagreement = backendDisagreement(ready);
              if (disagreement) {
                fail(disagreement, true);
                return;
              }
              const size = Math.max(...ready.map((x) => Math.max(x.paramCount, x.stateCount)));
              const memory = createSharedMemory(n, size);
              this.control = new TrainingControl(memory);
              if (this.pendingLr !== undefined) this.control.learningRate = this.pendingLr;
              if (this.pendingCommand !== undefined) this.control.command = this.pendingCommand;
              ports.forEach((x) => x.postMessage({ type: 'start', memory }));
              return;
            }
            case 'event':
              if (m.event.type === 'finished')
                result = { reason: m.event.reason, log: m.event.log, outDir: m.event.outDir };
              this.emit('event', m.event);
              return;
            case 'error':
              fail(m.message, m.userFacing);
              return;
            case 'done':
              if (++finishedWorkers === n && !settled) {
                settled = true;
                this.workers.forEach((x) => void x.terminate());
                if (result) resolve(result);
                else reject(new Error('training ended without a result'));
              }
              return;
          }
        });
      });
    });
  }

  /** Ends the workers at once (the server shutting down); a run stopped this way saves nothing. */
  async terminate(): Promise<void> {
    // Settle `done` even when the workers are not online yet (their exit events may never come).
    this.abort?.('training was terminated');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Replicas average their gradients, so they must compute alike: a native backend that loads in one
 * worker thread but not the next (tfjs issue 8388) must not train beside wasm. The sentence that
 * refuses such a run, or null when every replica runs the same backend.
 */
export function backendDisagreement(ready: readonly { replica: number; backend: string }[]): string | null {
  if (new Set(ready.map((x) => x.backend)).size <= 1) return null;
  const which = [...ready]
    .sort((a, b) => a.replica - b.replica)
    .map((x) => `replica ${x.replica} ${x.backend}`)
    .join(', ');
  return `The training replicas run on different backends (${which}); train with one replica or set TFJS_BACKEND.`;
}

export function startTraining(config: TrainingConfigInput, place?: TrainingPlace): TrainingRun {
  return new TrainingRun(config, place);
}
