import type { Backoff, BackoffFunction } from './backoff.types.js';
import { InvalidArgumentError } from './errors/index.js';

/** Options of an {@link ExponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Delay before the first retry, in ms. Default 10 000 (10 s). */
  initialMs?: number;
  /** Each retry waits this many times longer than the one before. Default 2; at least 1. */
  factor?: number;
  /** The longest delay, in ms, before jitter. Default 600 000 (10 min). */
  maxMs?: number;
  /**
   * Randomises each delay by up to this fraction either way, so that tasks that failed together do
   * not retry together: 0.2 turns 10 s into 8-12 s. Between 0 and 1. Default 0.
   */
  jitter?: number;
  /** The random source for the jitter, returning [0, 1). Default `Math.random`; inject one in tests. */
  random?: () => number;
}

/**
 * `min(maxMs, initialMs × factor^(attempt − 1))`, then ± `jitter`: with the defaults 10 s, 20 s,
 * 40 s, … up to 10 min.
 */
export class ExponentialBackoff implements Backoff {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  readonly jitter: number;
  private readonly random: () => number;

  /** @throws InvalidArgumentError for an option out of range. */
  constructor(options: ExponentialBackoffOptions = {}) {
    const {
      initialMs = 10_000,
      factor = 2,
      maxMs = 600_000,
      jitter = 0,
      random = Math.random,
    } = options ?? {};
    requireNumber('initialMs', initialMs, 0);
    requireNumber('factor', factor, 1);
    requireNumber('maxMs', maxMs, initialMs);
    requireNumber('jitter', jitter, 0, 1);
    if (typeof random !== 'function')
      throw new InvalidArgumentError('random', 'must be a function returning [0, 1)');
    this.initialMs = initialMs;
    this.factor = factor;
    this.maxMs = maxMs;
    this.jitter = jitter;
    this.random = random;
  }

  /**
   * Milliseconds before retry number `attempt` (1 for the first retry; lower values count as 1).
   * @throws InvalidArgumentError when `attempt` is not a number.
   */
  delayMs(attempt: number): number {
    const n = retryNumber(attempt);
    const base = Math.min(this.maxMs, this.initialMs * Math.pow(this.factor, n - 1));
    if (this.jitter === 0) return Math.round(base);
    const spread = (2 * this.random() - 1) * this.jitter;
    return Math.max(0, Math.round(base * (1 + spread)));
  }
}

/**
 * Fixed delays: retry `n` waits `delays[n − 1]`; past the end, the last delay repeats.
 * `new FixedBackoff([1000, 5000, 60_000])`.
 */
export class FixedBackoff implements Backoff {
  readonly delays: readonly number[];

  /** @throws InvalidArgumentError for an empty list or a delay that is not a non-negative number. */
  constructor(delays: readonly number[]) {
    if (!Array.isArray(delays) || delays.length === 0) {
      throw new InvalidArgumentError('delays', 'give at least one delay in milliseconds');
    }
    delays.forEach((delay, index) => requireNumber(`delays[${index}]`, delay, 0));
    this.delays = [...delays];
  }

  /** `delays[attempt − 1]`, the last one past the end. */
  delayMs(attempt: number): number {
    const n = retryNumber(attempt);
    return this.delays[Math.min(n, this.delays.length) - 1];
  }
}

/** A {@link Backoff} from a plain function `(attempt) => ms`; checks what the function returns. */
export class FunctionBackoff implements Backoff {
  constructor(private readonly fn: BackoffFunction) {
    if (typeof fn !== 'function')
      throw new InvalidArgumentError('backoff', 'must be a function (attempt) => ms');
  }

  /** @throws InvalidArgumentError when the function returns anything but a non-negative finite number. */
  delayMs(attempt: number): number {
    const delay = this.fn(retryNumber(attempt));
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
      throw new InvalidArgumentError(
        'backoff result',
        `${String(delay)} is not a non-negative number of milliseconds`,
      );
    }
    return delay;
  }
}

/**
 * The backoff to use for a job: `undefined` → `new ExponentialBackoff()`, a function → a
 * {@link FunctionBackoff}, a {@link Backoff} → itself.
 * @throws InvalidArgumentError for anything else.
 */
export function toBackoff(backoff: Backoff | BackoffFunction | undefined): Backoff {
  if (backoff === undefined) return new ExponentialBackoff();
  if (typeof backoff === 'function') return new FunctionBackoff(backoff);
  if (typeof backoff === 'object' && backoff !== null && typeof backoff.delayMs === 'function')
    return backoff;
  throw new InvalidArgumentError(
    'backoff',
    'expected a Backoff ({ delayMs(attempt) }), a function (attempt) => ms, or undefined',
  );
}

function requireNumber(name: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      max === Number.POSITIVE_INFINITY ? `a finite number >= ${min}` : `a number between ${min} and ${max}`;
    throw new InvalidArgumentError(name, `${String(value)} is not ${range}`);
  }
}

function retryNumber(attempt: number): number {
  if (typeof attempt !== 'number' || Number.isNaN(attempt)) {
    throw new InvalidArgumentError('attempt', `${String(attempt)} is not a retry number`);
  }
  return Math.max(1, Math.floor(attempt));
}
