/**
 * Shared memory that keeps data-parallel replicas in lock step. Each replica (a worker thread)
 * computes the gradient of its shard of a batch, writes it into its own slot, meets the others at a
 * barrier, averages its share of the parameters over all slots into one shared result (a
 * reduce-scatter: each replica does 1/n of the averaging, not all of it), meets them again, and
 * every replica applies the same update from that result, so the weights stay identical without a
 * parameter server. Control (pause/stop/learning-rate) also travels through
 * here: the worker loops never yield to their event loop between steps, so messages could not reach
 * them in time.
 */

export enum Command {
  Run = 0,
  Pause = 1,
  Stop = 2,
}

/** The buffers one run shares between the coordinator and its replicas (structured-clonable). */
export interface SharedTrainingMemory {
  replicas: number;
  /** [barrierCount, barrierGeneration, command, decision] */
  control: SharedArrayBuffer;
  /** [learningRate override (NaN = schedule)] */
  lr: SharedArrayBuffer;
  /** replicas x paramCount floats: each replica's gradient (or, at epoch ends, its weights) */
  slots: SharedArrayBuffer;
  /** paramCount floats: the averaged gradient, each replica writing its share */
  averaged: SharedArrayBuffer;
  /** replicas x 4 floats: [lossSum, correct, count, unused] of the current step */
  stats: SharedArrayBuffer;
  paramCount: number;
}

export function createSharedMemory(replicas: number, paramCount: number): SharedTrainingMemory {
  const lr = new SharedArrayBuffer(8);
  new Float64Array(lr)[0] = Number.NaN;
  return {
    replicas,
    control: new SharedArrayBuffer(4 * 4),
    lr,
    slots: new SharedArrayBuffer(4 * replicas * paramCount),
    averaged: new SharedArrayBuffer(4 * paramCount),
    stats: new SharedArrayBuffer(4 * replicas * 4),
    paramCount,
  };
}

const COUNT = 0;
const GENERATION = 1;
const COMMAND = 2;
const DECISION = 3;

/** The coordinator's side: it only writes commands; replicas act on them at the next step. */
export class TrainingControl {
  private readonly control: Int32Array;
  private readonly lr: Float64Array;
  constructor(memory: SharedTrainingMemory) {
    this.control = new Int32Array(memory.control);
    this.lr = new Float64Array(memory.lr);
  }
  set command(c: Command) {
    Atomics.store(this.control, COMMAND, c);
    Atomics.notify(this.control, COMMAND);
  }
  get command(): Command {
    return Atomics.load(this.control, COMMAND) as Command;
  }
  /** A learning rate that replaces the schedule from the next step on; NaN returns to the schedule. */
  set learningRate(value: number) {
    this.lr[0] = value;
  }
  get learningRate(): number {
    return this.lr[0]!;
  }
}

/** One replica's view of the shared memory. */
export class ReplicaSync {
  private readonly control: Int32Array;
  private readonly lr: Float64Array;
  private readonly slots: Float32Array;
  private readonly stats: Float32Array;
  readonly mySlot: Float32Array;
  /** the result of averageShare, complete once every replica has averaged its share and met at the barrier */
  readonly averaged: Float32Array;

  constructor(
    private readonly memory: SharedTrainingMemory,
    readonly replica: number,
  ) {
    this.control = new Int32Array(memory.control);
    this.lr = new Float64Array(memory.lr);
    this.slots = new Float32Array(memory.slots);
    this.stats = new Float32Array(memory.stats);
    this.mySlot = this.slots.subarray(replica * memory.paramCount, (replica + 1) * memory.paramCount);
    this.averaged = new Float32Array(memory.averaged);
  }

  /** A sense-reversing barrier: returns when every replica has called it. */
  barrier(): void {
    const n = this.memory.replicas;
    if (n === 1) return;
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, COUNT, 1) === n - 1) {
      Atomics.store(this.control, COUNT, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
    } else {
      while (Atomics.load(this.control, GENERATION) === generation) {
        Atomics.wait(this.control, GENERATION, generation);
      }
    }
  }

  /**
   * Every replica must take the same decision at the same step: replica 0 reads the command and
   * publishes it, the others read what it published after the barrier.
   */
  decide(): Command {
    if (this.replica === 0) Atomics.store(this.control, DECISION, Atomics.load(this.control, COMMAND));
    this.barrier();
    const decision = Atomics.load(this.control, DECISION) as Command;
    this.barrier(); // nobody may overwrite DECISION before all have read it
    return decision;
  }

  /** Blocks this thread while the command is Pause; returns the command that ended the pause. */
  waitWhilePaused(): Command {
    while (Atomics.load(this.control, COMMAND) === Command.Pause) {
      Atomics.wait(this.control, COMMAND, Command.Pause, 1000);
    }
    return Atomics.load(this.control, COMMAND) as Command;
  }

  /** The same without blocking the thread (a replica on a thread whose event loop must keep running). */
  async whilePaused(): Promise<Command> {
    while (Atomics.load(this.control, COMMAND) === Command.Pause) {
      const wait = waitAsync(this.control, COMMAND, Command.Pause, 1000);
      if (wait.async) await wait.value;
    }
    return Atomics.load(this.control, COMMAND) as Command;
  }

  learningRateOverride(): number | undefined {
    const v = this.lr[0]!;
    return Number.isNaN(v) ? undefined : v;
  }

  writeStats(lossSum: number, correct: number, count: number): void {
    this.stats.set([lossSum, correct, count, 0], this.replica * 4);
  }

  /** Sums of every replica's stats; call after the barrier. */
  totalStats(): { lossSum: number; correct: number; count: number } {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    for (let r = 0; r < this.memory.replicas; r++) {
      lossSum += this.stats[r * 4]!;
      correct += this.stats[r * 4 + 1]!;
      count += this.stats[r * 4 + 2]!;
    }
    return { lossSum, correct, count };
  }

  /**
   * The weighted mean of every replica's slot over the first `length` floats (weights: each
   * replica's share of the batch, so unequal shards average correctly). Call after the barrier.
   */
  average(weights: number[], length = this.memory.paramCount): Float32Array {
    const out = new Float32Array(length);
    const p = this.memory.paramCount;
    for (let r = 0; r < this.memory.replicas; r++) {
      const w = weights[r]!;
      if (w === 0) continue;
      const base = r * p;
      for (let i = 0; i < length; i++) out[i] = out[i]! + w * this.slots[base + i]!;
    }
    return out;
  }

  /**
   * This replica's share of the weighted mean of every slot's first `length` floats, written into
   * `averaged`: call after the barrier that follows writing the slots, then meet at a barrier again
   * before reading `averaged`. Replicas' shares are contiguous and about equal.
   */
  averageShare(weights: number[], length = this.memory.paramCount): void {
    const n = this.memory.replicas;
    const start = Math.floor((this.replica * length) / n);
    const end = Math.floor(((this.replica + 1) * length) / n);
    const p = this.memory.paramCount;
    const out = this.averaged.subarray(start, end);
    let written = false;
    for (let r = 0; r < n; r++) {
      const w = weights[r]!;
      if (w === 0) continue;
      const slot = this.slots.subarray(r * p + start, r * p + end);
      if (written) for (let i = 0; i < out.length; i++) out[i] = out[i]! + w * slot[i]!;
      else for (let i = 0; i < out.length; i++) out[i] = w * slot[i]!;
      written = true;
    }
    if (!written) out.fill(0);
  }
}

/** Atomics.waitAsync (Node 16+; in TypeScript's ES2024 lib, beyond this project's ES2022 target). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeout: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;
