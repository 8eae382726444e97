/**
 * Cluster-wide limits of a kind, as a claim enforces them: how many of its tasks may run at once
 * across every instance (`globalConcurrency`), how many per concurrency key (`keyConcurrency`), and
 * how many may start in a sliding window (`rateLimit`). The rules are here once, as pure code over
 * what a store counts at claim time; the memory and Firestore stores run them as they are, and the
 * PostgreSQL store states the same rules in SQL (`sql/claim-limited.ts`).
 *
 * Only live leases count as running (a lease past its `lockedUntil` is void), so the share of an
 * instance that died is freed when its leases run out: nothing is held by a process.
 */
import { assertWholeNumber } from '../arguments.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** At most `max` runs of a kind may start within any `perMs` window (across the cluster). */
export interface RateLimit {
  /** Starts allowed per window: a whole number from 1 to {@link MAX_RATE_LIMIT_MAX}. */
  max: number;
  /** The window, in ms: a whole number from 1 to {@link MAX_RATE_LIMIT_PER_MS} (one day). */
  perMs: number;
}

/** The cluster-wide limits of one kind, as a claim receives them (see `ClaimRequest.limits`). */
export interface KindLimits {
  /** Runs of the kind at once across every instance on the store. */
  globalConcurrency?: number;
  /**
   * Runs at once per concurrency key (tasks without a key are not limited per key). Only
   * meaningful for tasks that were stored with a key (`registerJob(job, { concurrencyKey })`).
   */
  keyConcurrency?: number;
  /** Starts of the kind per window across every instance. */
  rateLimit?: RateLimit;
}

/** Limits per kind. A kind that is absent (or has no limit set) is claimed without limits. */
export type ClaimLimits = Readonly<Record<string, KindLimits>>;

/** The largest `globalConcurrency` and `keyConcurrency`. */
export const MAX_CONCURRENCY_LIMIT = 10_000;

/**
 * The largest `rateLimit.max`. A store keeps one start time per start within the window (Firestore
 * in one document, which must stay well under its 1 MiB).
 */
export const MAX_RATE_LIMIT_MAX = 10_000;

/** The longest `rateLimit.perMs`: one day. */
export const MAX_RATE_LIMIT_PER_MS = 86_400_000;

/** Whether a kind with these limits needs the limited claim (counting its running tasks and starts). */
export function isLimited(limits: KindLimits | undefined): limits is KindLimits {
  return (
    limits !== undefined &&
    (limits.globalConcurrency !== undefined ||
      limits.keyConcurrency !== undefined ||
      limits.rateLimit !== undefined)
  );
}

/** @throws InvalidArgumentError for a limit outside its range (`name` prefixes the field names). */
export function assertKindLimits(limits: unknown, name = 'limits'): asserts limits is KindLimits {
  if (limits === null || typeof limits !== 'object')
    throw new InvalidArgumentError(name, 'must be an object');
  const { globalConcurrency, keyConcurrency, rateLimit } = limits as KindLimits;
  if (globalConcurrency !== undefined)
    assertWholeNumber(globalConcurrency, 'globalConcurrency', 1, MAX_CONCURRENCY_LIMIT);
  if (keyConcurrency !== undefined)
    assertWholeNumber(keyConcurrency, 'keyConcurrency', 1, MAX_CONCURRENCY_LIMIT);
  if (rateLimit !== undefined) assertRateLimit(rateLimit);
}

/** @throws InvalidArgumentError unless `{ max, perMs }` are whole numbers in their ranges. */
export function assertRateLimit(rateLimit: unknown): asserts rateLimit is RateLimit {
  if (rateLimit === null || typeof rateLimit !== 'object') {
    throw new InvalidArgumentError('rateLimit', 'must be { max, perMs }');
  }
  const { max, perMs } = rateLimit as RateLimit;
  assertWholeNumber(max, 'rateLimit.max', 1, MAX_RATE_LIMIT_MAX);
  assertWholeNumber(perMs, 'rateLimit.perMs', 1, MAX_RATE_LIMIT_PER_MS);
}

/** @throws InvalidArgumentError for `ClaimRequest.limits` that is not a map of valid {@link KindLimits}. */
export function assertClaimLimits(limits: unknown): asserts limits is ClaimLimits | undefined {
  if (limits === undefined) return;
  if (limits === null || typeof limits !== 'object')
    throw new InvalidArgumentError('limits', 'must be an object');
  for (const [kind, kindLimits] of Object.entries(limits)) assertKindLimits(kindLimits, `limits.${kind}`);
}

/** What a store counts for a limited kind at claim time, by its own clock. */
export interface KindUsage {
  /** Tasks of the kind under a live lease. */
  running: number;
  /** Of those with a concurrency key, how many per key. */
  runningByKey: ReadonlyMap<string, number>;
  /** Runs of the kind that started within the last `rateLimit.perMs` (0 without a rate limit). */
  recentStarts: number;
}

/**
 * What one claim may still take of a limited kind, updated as it takes: the claim walks its
 * candidates in claim order (priority, then runAt) and takes each that {@link ClaimBudget.take}
 * allows, until {@link ClaimBudget.remaining} is 0. A candidate refused for its key is skipped (it
 * stays due), so that one busy key does not hold back the others.
 */
export class ClaimBudget {
  private left: number;
  private readonly byKey: Map<string, number>;

  constructor(
    private readonly limits: KindLimits,
    usage: KindUsage,
  ) {
    const global =
      limits.globalConcurrency === undefined ? Infinity : limits.globalConcurrency - usage.running;
    const rate = limits.rateLimit === undefined ? Infinity : limits.rateLimit.max - usage.recentStarts;
    this.left = Math.max(0, Math.min(global, rate));
    this.byKey = new Map(usage.runningByKey);
  }

  /** How many more tasks of the kind may start in this claim, whatever their keys (may be Infinity). */
  remaining(): number {
    return this.left;
  }

  /** Whether a task with this concurrency key may start now; if so, it is counted as started. */
  take(key: string | null | undefined): boolean {
    if (this.left <= 0) return false;
    const perKey = this.limits.keyConcurrency;
    if (perKey !== undefined && key !== null && key !== undefined) {
      const running = this.byKey.get(key) ?? 0;
      if (running >= perKey) return false;
      this.byKey.set(key, running + 1);
    }
    this.left -= 1;
    return true;
  }
}

/** The start times that still count against a rate limit at `now` (ms), oldest first. */
export function startsInWindow(
  starts: readonly number[],
  rateLimit: RateLimit | undefined,
  now: number,
): number[] {
  if (rateLimit === undefined) return [];
  const since = now - rateLimit.perMs;
  return starts.filter((at) => at > since).sort((a, b) => a - b);
}
