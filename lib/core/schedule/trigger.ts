import type { JsonValue } from '../payload.js';

/**
 * Computes when a recurring task fires next. Triggers are the mechanism by which jobs recur.
 */
export interface Trigger {
  /**
   * The first fire time strictly after `prev`, or `null` when the trigger will never fire again.
   */
  nextFireTime(prev: Date): Date | null;
  /**
   * The stored, serialisable form of this trigger, so that every instance computes the same next
   * fire time. `undefined` for a custom trigger that cannot be stored: such a trigger may be given
   * only to `registerJob`, never to `scheduleJob`.
   */
  toSpec?(): ScheduleSpec | undefined;
}

/** A cron schedule as stored with a task. */
export interface CronScheduleSpec {
  type: 'cron';
  /** The expression as the user wrote it (`0 9 * * 1-5`, `@daily`, `*\/5 * * * * *`). */
  expression: string;
  /** IANA time zone, `UTC` by default. */
  timeZone: string;
}

/** A fixed-interval schedule as stored with a task (`@every 30s`, `SimpleTrigger`, `{ every }`). */
export interface IntervalScheduleSpec {
  type: 'interval';
  /** The interval in milliseconds, > 0. */
  everyMs: number;
}

/**
 * The stored form of a trigger type registered with `registerTriggerType`: its `type` and JSON fields.
 * Declare your own with a `type` alias (an interface has no index signature, so it is not assignable).
 * Narrow a {@link ScheduleSpec} to the built-in ones with `isCronSpec` / `isIntervalSpec`.
 */
export interface CustomScheduleSpec {
  type: string;
  [field: string]: JsonValue | undefined;
}

/** The serialisable form of a trigger, stored with each recurring task. */
export type ScheduleSpec = CronScheduleSpec | IntervalScheduleSpec | CustomScheduleSpec;

/** Whether a stored schedule is a cron schedule. */
export function isCronSpec(spec: ScheduleSpec | null | undefined): spec is CronScheduleSpec {
  return spec?.type === 'cron';
}

/** Whether a stored schedule is a fixed interval. */
export function isIntervalSpec(spec: ScheduleSpec | null | undefined): spec is IntervalScheduleSpec {
  return spec?.type === 'interval';
}
