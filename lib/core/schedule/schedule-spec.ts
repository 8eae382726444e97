import type { TriggerInput } from '../scheduler.types.js';
import { InvalidArgumentError } from '../errors/index.js';
import { CronTrigger } from './cron-trigger.js';
import { triggerTypeOf } from './trigger-types.js';
import { parseDuration } from './duration.js';
import { SimpleTrigger } from './simple-trigger.js';
import type { ScheduleSpec, Trigger } from './trigger.js';

/** True for any object with a `nextFireTime` method: a {@link Trigger}, built in or custom. */
export function isTrigger(value: unknown): value is Trigger {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { nextFireTime?: unknown }).nextFireTime === 'function'
  );
}

/**
 * Checks the shape of a stored schedule against its registered trigger type (not whether its
 * expression parses: that is the engine's business when it runs the task, and a store must keep
 * what it is given).
 * @throws InvalidArgumentError for a schedule of no known type, or not of its type's shape.
 */
export function assertScheduleSpec(spec: unknown): asserts spec is ScheduleSpec {
  triggerTypeOf(spec);
}

/**
 * Turns what a user wrote into a trigger:
 * - a string: a cron expression in UTC (`'0 9 * * 1-5'`, `'@daily'`, `'@every 30s'`);
 * - `{ cron, timeZone? }`: a cron expression in a zone;
 * - `{ every }`: an interval, in milliseconds or as a duration string (`'1h30m'`);
 * - a {@link Trigger} object: returned as it is.
 * @throws InvalidCronExpressionError for a malformed cron expression.
 * @throws InvalidArgumentError for anything else that is not one of these forms.
 */
export function toTrigger(input: TriggerInput): Trigger {
  if (typeof input === 'string') return new CronTrigger(input);
  if (isTrigger(input)) return input;
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError('trigger', `${safeJson(input)} is not ${EXPECTED}`);
  }
  const { cron, timeZone, every } = input as { cron?: unknown; timeZone?: unknown; every?: unknown };
  if (cron !== undefined && every !== undefined) {
    throw new InvalidArgumentError('trigger', 'give either cron or every, not both');
  }
  if (cron !== undefined) {
    if (typeof cron !== 'string') throw new InvalidArgumentError('trigger', 'cron must be a string');
    if (timeZone === undefined) return new CronTrigger(cron);
    if (typeof timeZone !== 'string') {
      throw new InvalidArgumentError('timeZone', `${safeJson(timeZone)} is not an IANA time zone name`);
    }
    return new CronTrigger(cron, { timeZone });
  }
  if (every !== undefined) {
    if (timeZone !== undefined)
      throw new InvalidArgumentError('trigger', 'timeZone applies to cron, not to every');
    if (typeof every === 'number') return new SimpleTrigger(every);
    if (typeof every === 'string') return new SimpleTrigger(parseDuration(every));
    throw new InvalidArgumentError('trigger', 'every must be milliseconds or a duration string like "1h30m"');
  }
  throw new InvalidArgumentError('trigger', `${safeJson(input)} is not ${EXPECTED}`);
}

const EXPECTED = 'a cron string, { cron, timeZone }, { every } or a Trigger';

/** The stored form of a trigger, or `undefined` when it has none (a custom trigger without `toSpec`). */
export function specOf(trigger: Trigger): ScheduleSpec | undefined {
  return trigger.toSpec?.() ?? undefined;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
