/**
 * Whether the bucket still holds an output, remembered for a while. This server writes an object
 * only when it saves an output, but a lifecycle rule (S3, TOS and OSS expire objects after N days)
 * or a person can delete it, and a result must not offer a presigned link to an object that is gone
 * (it answers 404 at the store) nor list it as readable.
 */

/** How long an answer is trusted: one HEAD per name per 10 minutes. */
const HELD_MS = 10 * 60_000;
/** How long a store that did not answer is left alone before it is asked again. */
const UNANSWERED_MS = 30_000;
/** A check waits this long at most: a result is not held for the store's own timeouts (10 s to connect, retried). */
const CHECK_MS = 2_000;
const MAX_NAMES = 10_000;

/**
 * Asks the store: true when the object exists, false when it answers that it does not, undefined when
 * its answer cannot tell (AWS's 403 to a key that may not list the bucket); throws when it does not answer.
 */
export type HeadObject = (name: string, signal: AbortSignal) => Promise<boolean | undefined>;

export class BucketPresence {
  private readonly known = new Map<string, { holds: boolean; until: number }>();
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(private readonly head: HeadObject) {}

  /** The object was just written (or read back): it is there. */
  saw(name: string): void {
    this.remember(name, true, HELD_MS);
  }

  /** The store answered that the object does not exist (asked again after 10 minutes: a versioned bucket can restore it). */
  gone(name: string): void {
    this.remember(name, false, HELD_MS);
  }

  /**
   * Whether the bucket holds `name`: false only when the store says it does not. A store that fails
   * or does not answer within 2 s counts as holding it (the object may be there; its link and its read
   * say otherwise when it is not), so a store that is down slows no result by more than that.
   */
  async holds(name: string): Promise<boolean> {
    const k = this.known.get(name);
    if (k && k.until > Date.now()) return k.holds;
    let asking = this.asking.get(name);
    if (!asking) {
      asking = this.ask(name).finally(() => this.asking.delete(name));
      this.asking.set(name, asking);
    }
    return asking;
  }

  private async ask(name: string): Promise<boolean> {
    try {
      const holds = await this.head(name, AbortSignal.timeout(CHECK_MS));
      if (holds === false) this.gone(name);
      else this.saw(name);
      return holds !== false;
    } catch {
      this.remember(name, true, UNANSWERED_MS);
      return true;
    }
  }

  private remember(name: string, holds: boolean, forMs: number): void {
    this.known.delete(name); // re-inserted last: the oldest entries go first
    this.known.set(name, { holds, until: Date.now() + forMs });
    if (this.known.size > MAX_NAMES) this.known.delete(this.known.keys().next().value!);
  }
}
