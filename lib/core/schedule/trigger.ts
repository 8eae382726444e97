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

/** The serialisable form of a trigger, stored with each recurring task. */
export type ScheduleSpec = CronScheduleSpec | IntervalScheduleSpec;
