import { InvalidArgumentError } from '../errors/index.js';
import { MAX_TIME_MS } from './time-zone.js';
import type { ScheduleSpec, Trigger } from './trigger.js';

/**
 * Fires at a fixed interval counted from the previous fire: `nextFireTime(prev) = prev + intervalMs`.
 * Time zones and DST do not apply: the interval is real elapsed time.
 */
export class SimpleTrigger implements Trigger {
  /**
   * @param intervalMs milliseconds between fires, a positive whole number.
   * @throws InvalidArgumentError for zero, a negative, a fraction or a non-number.
   */
  constructor(readonly intervalMs: number) {
    if (typeof intervalMs !== 'number' || !Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
      throw new InvalidArgumentError(
        'interval',
        `${String(intervalMs)} is not a positive whole number of milliseconds`,
      );
    }
  }

  /**
   * `prev + intervalMs`, or `null` past the largest time a `Date` can hold.
   * @throws InvalidArgumentError when `prev` is not a valid `Date`.
   */
  nextFireTime(prev: Date): Date | null {
    const time = prev instanceof Date ? prev.getTime() : Number.NaN;
    if (!Number.isFinite(time)) throw new InvalidArgumentError('prev', `${String(prev)} is not a valid Date`);
    const next = time + this.intervalMs;
    return next > MAX_TIME_MS ? null : new Date(next);
  }

  /** Milliseconds to the first fire: the interval (the first fire is one interval after `now`). */
  firstDelay(_now: Date = new Date()): number {
    return this.intervalMs;
  }

  /** `{ type: 'interval', everyMs }`. */
  toSpec(): ScheduleSpec {
    return { type: 'interval', everyMs: this.intervalMs };
  }

  /** `SimpleTrigger(30000ms)`, for logs. */
  toString(): string {
    return `SimpleTrigger(${this.intervalMs}ms)`;
  }
}
