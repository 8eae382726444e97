import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { InvalidCronExpressionError } from '../errors/index.js';
import { MAX_TIME_MS } from './time-zone.js';

/**
 * A cron rule evaluated on a wall clock that never jumps: `cron-parser` run in UTC over "wall
 * times" (a local date and time written as if it were UTC). Mapping wall times to real instants,
 * with the DST policy, is the caller's job ({@link CronTrigger}); keeping the two apart is what makes
 * that policy exact instead of depending on how `cron-parser` happens to step across a transition.
 */
export class WallCalendar {
  private readonly cron: CronExpression;
  /** The last answer, reused while a caller asks about wall times it already covers. */
  private memoFrom = Number.NaN;
  private memoNext: number | null = null;

  /**
   * @param sixFields an expression already checked by `parseCronSyntax`.
   * @param expression the user's expression, for the error message.
   * @throws InvalidCronExpressionError when `cron-parser` refuses it (an impossible date like `0 0 30 2 *`).
   */
  constructor(sixFields: string, expression: string) {
    try {
      this.cron = CronExpressionParser.parse(sixFields, { tz: 'UTC', currentDate: new Date(0) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidCronExpressionError(expression, reason);
    }
  }

  /** True when the hour field takes every hour (`*`, `*\/1`, `0-23`): such rules follow the real clock across DST changes. */
  get everyHour(): boolean {
    return this.cron.fields.hour.values.length === 24;
  }

  /**
   * The first matching wall time strictly after `wall` (whole seconds), or `null` when there is none
   * that a `Date` can hold (or `cron-parser` gives up after its search limit).
   */
  after(wall: number): number | null {
    if (wall >= this.memoFrom && (this.memoNext === null || wall < this.memoNext)) return this.memoNext;
    let next: number | null = null;
    if (wall < MAX_TIME_MS) {
      try {
        this.cron.reset(new Date(wall));
        const found = this.cron.next().getTime();
        next = Number.isFinite(found) && found <= MAX_TIME_MS ? found : null;
      } catch {
        next = null;
      }
    }
    this.memoFrom = wall;
    this.memoNext = next;
    return next;
  }
}
