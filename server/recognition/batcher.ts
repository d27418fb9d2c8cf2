/**
 * Micro-batching for recognition: requests that arrive within `maxWaitMs` of the first waiting one
 * run as one batch (at most `maxBatch` of them), so a busy server runs a few large batches instead
 * of many batch-1 passes. Each connection (key) has its own queue and a batch takes requests from
 * the keys in turn, so a connection with many requests waiting cannot push others' out of a batch.
 * If a batch fails, every request in it is answered with that error.
 */

export interface BatcherOptions<In, Out> {
  /** Runs one batch; returns one answer per input, in order (may throw, for the whole batch). */
  run(inputs: In[]): Out[] | Promise<Out[]>;
  /** Most requests in one batch. */
  maxBatch: number;
  /**
   * Longest wait for a batch to fill, from the first request waiting. 0: no timer; a batch takes
   * what has arrived by the end of the current turn of the event loop, and requests arriving while
   * it runs form the next one (batches grow with the load, an idle server answers at once).
   */
  maxWaitMs: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export class MicroBatcher<In, Out> {
  /** Per-key queues, in the order keys first had a request waiting. */
  private readonly queues = new Map<string, Waiting<In, Out>[]>();
  private waiting = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private immediate = false;
  /** Sizes of the batches run so far (for the benchmark and tests). */
  readonly batchSizes: number[] = [];

  constructor(private readonly options: BatcherOptions<In, Out>) {
    if (!(options.maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1, got ${options.maxBatch}`);
  }

  /** Queues one request of connection `key`; resolves with its answer. */
  submit(key: string, input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ input, resolve, reject });
      this.waiting++;
      this.schedule();
    });
  }

  /** Requests waiting for a batch. */
  get pending(): number {
    return this.waiting;
  }

  private schedule(): void {
    if (this.running) return; // the running batch schedules the next one when it ends
    if (this.waiting >= this.options.maxBatch) {
      // Full: run after the requests already delivered this turn are queued (they take turns too).
      if (this.options.maxWaitMs > 0) clearTimeout(this.timer);
      else if (this.timer !== undefined) clearImmediate(this.timer as unknown as ReturnType<typeof setImmediate>);
      this.timer = undefined;
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => {
          this.immediate = false;
          void this.flush();
        });
      }
    } else if (this.waiting > 0 && this.timer === undefined) {
      const run = () => {
        this.timer = undefined;
        void this.flush();
      };
      this.timer =
        this.options.maxWaitMs > 0
          ? setTimeout(run, this.options.maxWaitMs)
          : (setImmediate(run) as unknown as ReturnType<typeof setTimeout>);
    }
  }

  /** Takes up to maxBatch requests, one per key in turn. */
  private take(): Waiting<In, Out>[] {
    const batch: Waiting<In, Out>[] = [];
    while (batch.length < this.options.maxBatch && this.waiting > 0) {
      for (const key of [...this.queues.keys()]) {
        if (batch.length >= this.options.maxBatch) break;
        const queue = this.queues.get(key)!;
        batch.push(queue.shift()!);
        this.waiting--;
        // A key whose queue empties leaves; a key still waiting goes to the back of the turn order.
        this.queues.delete(key);
        if (queue.length > 0) this.queues.set(key, queue);
      }
    }
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.running || this.waiting === 0) return;
    this.running = true;
    const batch = this.take();
    this.batchSizes.push(batch.length);
    try {
      const outputs = await this.options.run(batch.map((w) => w.input));
      if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${outputs.length} answers`);
      batch.forEach((w, i) => w.resolve(outputs[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.running = false;
    }
    // Requests that arrived while the batch ran have waited long enough: run them now.
    if (this.waiting > 0) setImmediate(() => void this.flush());
  }
}
