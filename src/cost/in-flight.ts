/** Promises under way, each forgotten once it settles: what a store's close (or a check) waits for. */
export class InFlight {
  private readonly under = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles and returns it; its rejection stays the caller's to handle. */
  add<T>(p: Promise<T>): Promise<T> {
    const tracked: Promise<unknown> = p.then(
      () => undefined,
      () => undefined,
    );
    this.under.add(tracked);
    void tracked.finally(() => this.under.delete(tracked));
    return p;
  }

  /** Resolves once every promise under way now has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.under);
  }
}
