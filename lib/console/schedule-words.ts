import cronstrue from 'cronstrue';
import { CRON_SHORTCUTS } from '../core/schedule/cron-syntax.js';
import { describeSpec, triggerFromSpec } from '../core/schedule/trigger-types.js';
import { isCronSpec, isIntervalSpec, type ScheduleSpec } from '../core/schedule/trigger.js';
import { durationInWords } from './format.js';

/**
 * What a task without a schedule of its own does, in words: it runs once (unless its kind was
 * registered with a trigger of its own through `registerJob`, which the console cannot see).
 */
export const ONE_TIME_WORDS = 'Once';

/**
 * A stored schedule in plain words: `At 09:00, Monday through Friday (Europe/Lisbon)`,
 * `Every 30 seconds`. A cron expression cronstrue cannot read (or does not know) is shown as written.
 */
export function scheduleInWords(spec: ScheduleSpec | null): string {
  if (spec === null) return ONE_TIME_WORDS;
  if (isIntervalSpec(spec)) return `Every ${durationInWords(spec.everyMs)}`;
  if (!isCronSpec(spec)) return safeDescribe(spec);
  const expression = CRON_SHORTCUTS[spec.expression.trim().toLowerCase()] ?? spec.expression;
  let words: string;
  try {
    words = cronstrue.toString(expression, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    words = `cron ${spec.expression}`;
  }
  return `${words} (${spec.timeZone ?? 'UTC'})`;
}

/**
 * The next `count` fires of a task due at `runAt`: `runAt` itself, then what its schedule gives
 * after it (a one-time task fires once). A schedule that cannot be read gives only `runAt`.
 */
export function nextFires(runAt: Date, spec: ScheduleSpec | null, count: number): Date[] {
  const fires = [runAt];
  if (spec === null) return fires;
  let trigger;
  try {
    trigger = triggerFromSpec(spec);
  } catch {
    return fires;
  }
  while (fires.length < count) {
    const next = trigger.nextFireTime(fires[fires.length - 1]);
    if (next === null) break;
    fires.push(next);
  }
  return fires;
}

/** A schedule of a registered trigger type, as its type describes it (or its stored form). */
function safeDescribe(spec: ScheduleSpec): string {
  try {
    return describeSpec(spec);
  } catch {
    return JSON.stringify(spec);
  }
}
