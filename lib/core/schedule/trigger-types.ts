import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { TriggerType } from './trigger-type.js';
import type { ScheduleSpec, Trigger } from './trigger.js';
import { cronTriggerType } from './types/cron.type.js';
import { intervalTriggerType } from './types/interval.type.js';

/** The trigger types the engine reads from a stored schedule, by `type`. */
const types = new Map<string, TriggerType>();

/**
 * Makes the engine read stored schedules of `type.type` (a new trigger type: its file, plus this
 * call). Every instance that runs such tasks must register it; one that does not keeps them failed
 * with "unknown schedule type" (they are never run wrongly).
 * @throws InvalidArgumentError when that type is registered already.
 */
export function registerTriggerType<S extends { type: string }>(type: TriggerType<S>): void {
  if (types.has(type.type))
    throw new InvalidArgumentError('trigger type', `"${type.type}" is registered already`);
  types.set(type.type, type as unknown as TriggerType);
}

registerTriggerType(cronTriggerType);
registerTriggerType(intervalTriggerType);

/** Parsed triggers by spec key: a recurring task's schedule is read back on every reschedule. */
const parsed = new Map<string, Trigger>();
const CACHE_SIZE = 1000;

/** The type of a stored schedule whose shape it has. @throws InvalidArgumentError otherwise. */
export function triggerTypeOf(spec: unknown): TriggerType {
  const value = (typeof spec === 'object' && spec !== null ? spec : {}) as { type?: unknown } & Record<
    string,
    unknown
  >;
  const type = typeof value.type === 'string' ? types.get(value.type) : undefined;
  if (!type) {
    throw new InvalidArgumentError(
      'schedule',
      `${safeJson(spec)} has no known schedule type (known: ${[...types.keys()].join(', ')})`,
    );
  }
  if (!type.isSpec(value as { type: string } & Record<string, unknown>)) {
    throw new InvalidArgumentError('schedule', `${safeJson(spec)} is not a valid "${type.type}" schedule`);
  }
  return type;
}

/**
 * The trigger a stored schedule describes. Triggers are immutable, so equal specs share one instance
 * (the one cache of parsed schedules).
 * @throws InvalidArgumentError, InvalidCronExpressionError for a spec that is not valid.
 */
export function triggerFromSpec(spec: ScheduleSpec): Trigger {
  const type = triggerTypeOf(spec);
  const key = type.key(spec);
  const cached = parsed.get(key);
  if (cached) return cached;
  const trigger = type.fromSpec(spec);
  if (parsed.size >= CACHE_SIZE) {
    const oldest = parsed.keys().next();
    if (!oldest.done) parsed.delete(oldest.value);
  }
  parsed.set(key, trigger);
  return trigger;
}

/** True when two stored schedules are the same (null-safe: two missing ones are equal). */
export function sameSpec(a: ScheduleSpec | null | undefined, b: ScheduleSpec | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (a.type !== b.type) return false;
  const type = triggerTypeOf(a);
  return type.key(a) === type.key(b);
}

/** A stored schedule in a few words, for logs. */
export function describeSpec(spec: ScheduleSpec): string {
  return triggerTypeOf(spec).describe(spec);
}

/**
 * The first fire strictly after `time` on the schedule that `anchor` is a fire of (the anchor may be
 * later than `time`: a backfill of a past window of an interval), as the trigger's type defines it.
 */
export function fireAfter(trigger: Trigger, anchor: Date, time: Date): Date | null {
  const spec = trigger.toSpec?.();
  const type = spec ? types.get(spec.type) : undefined;
  if (spec && type?.fireAfter) return type.fireAfter(spec, trigger, anchor, time);
  return trigger.nextFireTime(time);
}

/** The first fire strictly after `now` and after `anchor` (the fire that ran), keeping the schedule's phase. */
export function firstFireAfter(trigger: Trigger, anchor: Date, now: Date): Date | null {
  return fireAfter(trigger, anchor, now > anchor ? now : anchor);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
