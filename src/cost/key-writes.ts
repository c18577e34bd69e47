/**
 * Idempotency keys whose writes are tracked until they land. A key's job id is written while the
 * call goes on (cost-guard's onJob does not wait for it), so a server shutting down first waits
 * for those writes: a replica that then sees this process gone (its heartbeat removed) finds the
 * key bound to its job, not interrupted before it had one, which would tell the caller to pay again.
 */
import { InFlight } from "./in-flight.js";
import type { IdempotencyKeys } from "./ledger.js";

export class KeyWrites implements IdempotencyKeys {
  private readonly writing = new InFlight();

  constructor(private readonly keys: IdempotencyKeys) {}

  claim(...args: Parameters<IdempotencyKeys["claim"]>): ReturnType<IdempotencyKeys["claim"]> {
    return this.keys.claim(...args);
  }

  complete(key: string, outcome: { job_id?: string; result?: string }): Promise<void> {
    return this.writing.add(this.keys.complete(key, outcome));
  }

  forget(key: string, claim: string): Promise<void> {
    return this.writing.add(this.keys.forget(key, claim));
  }

  forgetJob(key: string, jobId: string): Promise<void> {
    return this.writing.add(this.keys.forgetJob(key, jobId));
  }

  get(key: string): ReturnType<IdempotencyKeys["get"]> {
    return this.keys.get(key);
  }

  /** Resolves once every write started so far has landed or failed. */
  flush(): Promise<void> {
    return this.writing.settled();
  }
}
