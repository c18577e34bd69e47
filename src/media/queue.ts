/**
 * A bounded queue for file handles and downloads: at most `limit` tasks run at once, the rest wait
 * their turn in order. A burst of calls then waits instead of failing with EMFILE after the vendor
 * has generated (and billed) the outputs.
 */
export class BoundedQueue {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Tasks running now and waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** Runs `task` once a slot is free; a task whose `signal` aborts while waiting never starts. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener("abort", abort);
          resolve();
        };
        const abort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason as Error);
        };
        if (signal?.aborted) return reject(signal.reason as Error);
        signal?.addEventListener("abort", abort, { once: true });
        this.waiting.push(go);
      });
    } else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
