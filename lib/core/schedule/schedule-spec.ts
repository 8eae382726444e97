import type { TriggerInput } from '../scheduler.types.js';
import { InvalidArgumentError } from '../errors/index.js';
import { CronTrigger } from './cron-trigger.js';
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

/** Parsed triggers by spec: a recurring task's schedule is read back on every reschedule. */
const triggersBySpec = new Map<string, Trigger>();
const TRIGGER_CACHE_SIZE = 500;

/**
 * The trigger a stored schedule describes: a {@link CronTrigger} for `cron`, a {@link SimpleTrigger}
 * for `interval`. Triggers are immutable, so equal specs share one instance.
 * @throws InvalidCronExpressionError / InvalidArgumentError for a spec that is not valid.
 */
export function triggerFromSpec(spec: ScheduleSpec): Trigger {
  const key = specKey(spec);
  const cached = triggersBySpec.get(key);
  if (cached) return cached;
  let trigger: Trigger;
  if (spec.type === 'cron') trigger = new CronTrigger(spec.expression, { timeZone: spec.timeZone ?? 'UTC' });
  else trigger = new SimpleTrigger(spec.everyMs);
  if (triggersBySpec.size >= TRIGGER_CACHE_SIZE) {
    const oldest = triggersBySpec.keys().next();
    if (!oldest.done) triggersBySpec.delete(oldest.value);
  }
  triggersBySpec.set(key, trigger);
  return trigger;
}

function specKey(spec: unknown): string {
  if (typeof spec === 'object' && spec !== null) {
    const s = spec as Partial<Record<string, unknown>>;
    if (s.type === 'cron') return `cron\u0000${String(s.expression)}\u0000${String(s.timeZone ?? 'UTC')}`;
    if (s.type === 'interval') return `interval\u0000${String(s.everyMs)}`;
  }
  throw new InvalidArgumentError(
    'schedule spec',
    `${safeJson(spec)} is neither { type: 'cron' } nor { type: 'interval' }`,
  );
}

/**
 * Checks the shape of a stored schedule (not whether its expression parses: that is the engine's
 * business when it runs the task, and a store must keep what it is given).
 * @throws InvalidArgumentError for anything but `{ type: 'cron', expression, timeZone }` or
 *   `{ type: 'interval', everyMs }`.
 */
export function assertScheduleSpec(spec: unknown): asserts spec is ScheduleSpec {
  const s = (typeof spec === 'object' && spec !== null ? spec : {}) as Partial<Record<string, unknown>>;
  const valid =
    (s.type === 'cron' &&
      typeof s.expression === 'string' &&
      (s.timeZone === undefined || typeof s.timeZone === 'string')) ||
    (s.type === 'interval' && typeof s.everyMs === 'number' && Number.isFinite(s.everyMs) && s.everyMs > 0);
  if (!valid) {
    throw new InvalidArgumentError(
      'schedule',
      `${safeJson(spec)} is neither { type: 'cron', expression, timeZone } nor { type: 'interval', everyMs }`,
    );
  }
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

/**
 * True when two schedules are the same: same type and expression and zone, or same interval.
 * Null-safe: two missing specs are equal, one missing is not. A cron spec without a zone means UTC.
 */
export function sameSpec(a: ScheduleSpec | null | undefined, b: ScheduleSpec | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (a.type === 'cron' && b.type === 'cron') {
    return a.expression === b.expression && (a.timeZone ?? 'UTC') === (b.timeZone ?? 'UTC');
  }
  if (a.type === 'interval' && b.type === 'interval') return a.everyMs === b.everyMs;
  return false;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
