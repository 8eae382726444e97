/**
 * A value read at most once per `ttlMs` however many callers ask (one read in flight at a time,
 * shared by its waiters), so that every open console page together costs the store one read per
 * period. Real time, not the scheduler's clock: this is about load on the store.
 */
export class SharedSnapshot<T> {
  private cached: { at: number; value: T } | null = null;
  private pending: Promise<T> | null = null;
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
  ) {}

  /** The cached value while it is fresh, else a new read (joined if one is in flight). */
  get(): Promise<T> {
    if (this.cached && performance.now() - this.cached.at < this.ttlMs)
      return Promise.resolve(this.cached.value);
    if (this.pending) return this.pending;
    const generation = this.generation;
    const pending = this.load().then(
      (value) => {
        // A read started before an invalidation may predate the change: hand it out, never keep it.
        if (generation === this.generation && this.ttlMs > 0) this.cached = { at: performance.now(), value };
        if (this.pending === pending) this.pending = null;
        return value;
      },
      (error: unknown) => {
        if (this.pending === pending) this.pending = null;
        throw error;
      },
    );
    this.pending = pending;
    return pending;
  }

  /** Forgets the value (after an action), so that the next read shows the change. */
  invalidate(): void {
    this.generation += 1;
    this.cached = null;
    this.pending = null;
  }
}
