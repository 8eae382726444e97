import { InvalidArgumentError } from '../errors/index.js';
import { parseCronSyntax } from './cron-syntax.js';
import { DAY_MS, MAX_TIME_MS, assertTimeZone, zoneRules, type ZoneRules } from './time-zone.js';
import type { ScheduleSpec, Trigger } from './trigger.js';
import { WallCalendar } from './wall-calendar.js';

/** Options of a {@link CronTrigger}. */
export interface CronTriggerOptions {
  /** IANA time zone in which the fields are read (`'Europe/Lisbon'`). Default `'UTC'`. */
  timeZone?: string;
}

/** A stretch of real time with one UTC offset, and the offset in force just before it. */
interface Segment {
  start: number;
  before: number;
  offset: number;
}

/**
 * A cron schedule: 5 fields (`minute hour day-of-month month day-of-week`, seconds = 0) or 6 (seconds
 * first), a shortcut (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`)
 * or `@every <duration>` (`@every 1h30m`: a fixed interval counted from the previous fire).
 *
 * Fields are read on the wall clock of `timeZone`. Across DST changes (see docs/time.md):
 * - a wall time skipped by a spring-forward fires once, later by the length of the gap (01:30 in a
 *   01:00→02:00 gap fires at 02:30), or not at all when the hour field is every hour (`*`);
 * - a wall time repeated by a fall-back fires once, at its first occurrence, or at both when the hour
 *   field is every hour (such rules follow the real clock).
 * Fire times are always strictly increasing.
 *
 * @throws InvalidCronExpressionError at construction for a malformed expression (wrong field count,
 * out-of-range value, unknown shortcut, bad `@every` duration, an impossible date like `0 0 30 2 *`).
 * @throws InvalidArgumentError at construction for an unknown time zone.
 */
export class CronTrigger implements Trigger {
  /** The expression as given (trimmed). */
  readonly expression: string;
  /** The IANA time zone the fields are read in. */
  readonly timeZone: string;
  /** For `@every <duration>`: the interval in milliseconds; `undefined` for calendar expressions. */
  readonly everyMs: number | undefined;
  private readonly calendar: WallCalendar | undefined;
  private readonly zone: ZoneRules;
  private readonly everyHour: boolean;
  /**
   * The last answer of `nextAfter`: a fleet of tasks on one schedule (shared through the trigger
   * cache) asks for the fire after the same boundary once per task.
   */
  private lastPrev = Number.NaN;
  private lastNext: number | null = null;

  constructor(expression: string, options: CronTriggerOptions = {}) {
    const parsed = parseCronSyntax(expression);
    this.expression = expression.trim();
    this.timeZone = assertTimeZone(options?.timeZone ?? 'UTC');
    this.zone = zoneRules(this.timeZone);
    if (parsed.kind === 'interval') {
      this.everyMs = parsed.everyMs;
      this.everyHour = true;
    } else {
      this.calendar = new WallCalendar(parsed.sixFields, expression);
      this.everyHour = this.calendar.everyHour;
    }
  }

  /**
   * The first fire strictly after `prev`, or `null` when there is none a `Date` can hold.
   * @throws InvalidArgumentError when `prev` is not a valid `Date`.
   */
  nextFireTime(prev: Date): Date | null {
    const time = prev instanceof Date ? prev.getTime() : Number.NaN;
    if (!Number.isFinite(time)) throw new InvalidArgumentError('prev', `${String(prev)} is not a valid Date`);
    let next: number | null;
    if (this.everyMs !== undefined) next = time + this.everyMs;
    else if (time === this.lastPrev) next = this.lastNext;
    else {
      next = this.nextAfter(time);
      this.lastPrev = time;
      this.lastNext = next;
    }
    return next === null || next > MAX_TIME_MS ? null : new Date(next);
  }

  /** Milliseconds from `now` to the first fire after it; `Infinity` when there is none. */
  firstDelay(now: Date = new Date()): number {
    const next = this.nextFireTime(now);
    return next === null ? Number.POSITIVE_INFINITY : next.getTime() - now.getTime();
  }

  /** `{ type: 'cron', expression, timeZone }`, or `{ type: 'interval', everyMs }` for `@every`. */
  toSpec(): ScheduleSpec {
    if (this.everyMs !== undefined) return { type: 'interval', everyMs: this.everyMs };
    return { type: 'cron', expression: this.expression, timeZone: this.timeZone };
  }

  /** `CronTrigger(0 9 * * 1-5, Europe/Lisbon)`, for logs. */
  toString(): string {
    return `CronTrigger(${this.expression}, ${this.timeZone})`;
  }

  /**
   * Walks real time one constant-offset segment at a time: within a segment, wall time and real time
   * move together, so the next matching wall time gives the next fire directly; the DST policy only
   * acts at the start of a segment (the wall times a transition skipped or repeated).
   */
  private nextAfter(prev: number): number | null {
    const calendar = this.calendar as WallCalendar;
    let segment = this.segmentAt(prev);
    // Each round moves past a DST transition or a span of up to two years: the bound is never reached in practice.
    for (let round = 0; round < 1_000_000; round++) {
      const { start, before, offset } = segment;
      if (start >= MAX_TIME_MS) return null;
      const low = Math.max(start, prev + 1);
      const transition = this.zone.firstTransitionAfter(Math.max(start, prev));
      const end = transition ?? this.zone.spanEndAfter(Math.max(start, prev));

      let wall = calendar.after(low + offset - 1);
      if (wall !== null && !this.everyHour && before > offset && wall < start + before) {
        // A repeated wall time already fired in its first pass, before the transition.
        wall = calendar.after(Math.max(low + offset, start + before) - 1);
      }
      let best = wall !== null && wall < end + offset ? wall - offset : null;
      if (!this.everyHour && before < offset) {
        // Wall times skipped by the transition fire with the offset they would have had: later by the gap.
        const skipped = calendar.after(Math.max(start + before, low + before) - 1);
        if (skipped !== null && skipped < start + offset && (best === null || skipped - before < best)) {
          best = skipped - before;
        }
      }
      if (best !== null) return best;
      if (wall === null) return null;

      // Far-off next match (a yearly rule): jump close to it instead of walking every segment. Safe
      // once past `low + 2 days`, as no offset change moves the wall clock by more than a day.
      const nearMatch = wall - offset - 2 * DAY_MS;
      if (end >= low + 2 * DAY_MS && nearMatch > end) {
        segment = this.segmentAt(nearMatch);
      } else {
        segment = {
          start: end,
          before: offset,
          offset: transition === undefined ? offset : this.zone.offsetAt(end),
        };
      }
    }
    throw new Error(
      `CronTrigger(${this.expression}): no next fire time found after ${new Date(prev).toISOString()}`,
    );
  }

  /** The segment holding `time`, starting at a transition if one happened within the last day. */
  private segmentAt(time: number): Segment {
    const transition = this.zone.lastTransitionIn(time - DAY_MS, time);
    if (transition !== undefined) {
      return {
        start: transition,
        before: this.zone.offsetAt(transition - 1000),
        offset: this.zone.offsetAt(transition),
      };
    }
    const offset = this.zone.offsetAt(time);
    return { start: time, before: offset, offset };
  }
}
