import type { Trigger } from './trigger.js';

/**
 * One kind of stored schedule: everything the engine needs to know about it, in one place. A new
 * trigger type is one file that exports its descriptor, plus one line that registers it
 * (`registerTriggerType`, or the built-in list in `trigger-types.ts`).
 */
export interface TriggerType<S extends { type: string } = { type: string }> {
  /** The `type` of its stored form. */
  readonly type: S['type'];
  /** Whether a stored value has this type's shape (its fields, not whether an expression parses). */
  isSpec(spec: { type: string } & Record<string, unknown>): boolean;
  /** The trigger a stored form describes. @throws a SchedulerError for a form that is not valid. */
  fromSpec(spec: S): Trigger;
  /** A string equal for equal schedules (equality and the parse cache). */
  key(spec: S): string;
  /** The schedule in a few words, for logs. */
  describe(spec: S): string;
  /**
   * The first fire strictly after `time` on the schedule that `anchor` (one of its fires, before or
   * after `time`) is a fire of. Default: the trigger's next fire after `time`; an interval overrides
   * it to keep its phase.
   */
  fireAfter?(spec: S, trigger: Trigger, anchor: Date, time: Date): Date | null;
}
