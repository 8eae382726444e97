import {
  assertConcurrencyKey,
  assertDate,
  assertKind,
  assertOptionalBoolean,
  assertPriority,
  assertSlug,
} from './arguments.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { messages } from './errors/messages.js';
import { UnsupportedTriggerError } from './errors/unsupported-trigger.error.js';
import type { Job } from './job.js';
import { assertStorablePayload, type Payload } from './payload.js';
import type { JobRegistry, Registration } from './registry.js';
import type { ConcurrencyKeyInput, ScheduleJobOptions } from './scheduler.types.js';
import { specOf, toTrigger } from './schedule/schedule-spec.js';
import type { ScheduleSpec, Trigger } from './schedule/trigger.js';
import type { NewTask } from './store/job-store.js';

/**
 * What `scheduleJob` writes, checked and built before anything is written: the slug, the kind (a
 * string or a job), the payload, the schedule (its own trigger, stored; or its kind's, registered
 * here) and the first run time (`runAt`, `delay`, the trigger's first fire after now, or now).
 *
 * @throws InvalidSlugError, InvalidArgumentError, InvalidPayloadError, InvalidCronExpressionError,
 *   UnsupportedTriggerError.
 */
export function buildNewTask(
  slug: unknown,
  jobOrKind: Job | string,
  options: ScheduleJobOptions,
  registry: JobRegistry,
  now: Date,
): NewTask {
  assertSlug(slug);
  const kind = typeof jobOrKind === 'string' ? jobOrKind : (jobOrKind as Job | undefined)?.kind;
  assertKind(kind);
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'must be an object');
  }
  assertOptionalBoolean(options.paused, 'paused');
  assertOptionalBoolean(options.replace, 'replace');
  assertOptionalBoolean(options.propagateTraceContext, 'propagateTraceContext');
  const payload: Payload = options.payload === undefined ? null : options.payload;
  assertStorablePayload(payload);
  const ownTrigger = options.trigger === undefined ? null : toTrigger(options.trigger);
  const schedule = ownTrigger ? storableSpec(ownTrigger) : null;
  const trigger = ownTrigger ?? registry.get(kind)?.trigger ?? null;
  const runAt = firstRunAt(options, trigger, now);
  assertPriority(options.priority);
  const registration = registry.get(kind);
  const priority = options.priority ?? registration?.priority ?? 0;
  const concurrencyKey = concurrencyKeyOf(registration, { slug, kind, payload });
  return {
    slug,
    kind,
    payload,
    runAt,
    schedule,
    paused: options.paused ?? false,
    priority,
    ...(concurrencyKey !== null && { concurrencyKey }),
  };
}

/**
 * A new task's concurrency key: what its kind's `concurrencyKey` function returns for it, checked;
 * `null` when the kind has none here (or the function gives none).
 * @throws InvalidArgumentError when the function throws or returns anything but a valid key.
 */
export function concurrencyKeyOf(
  registration: Registration | undefined,
  input: ConcurrencyKeyInput,
): string | null {
  const compute = registration?.concurrencyKey;
  if (compute === undefined) return null;
  let key: unknown;
  try {
    key = compute(input);
  } catch (error) {
    throw new InvalidArgumentError(
      'concurrencyKey',
      `the function of kind "${input.kind}" threw: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (key === undefined || key === null) return null;
  assertConcurrencyKey(key);
  return key;
}

/**
 * When a new task first runs: `runAt`, or `delay` ms after now, or its trigger's first fire after
 * now, or now. Every result is a time every store can hold.
 */
export function firstRunAt(
  options: Pick<ScheduleJobOptions, 'runAt' | 'delay'>,
  trigger: Trigger | null,
  now: Date,
): Date {
  if (options.runAt !== undefined && options.delay !== undefined) {
    throw new InvalidArgumentError('delay', messages.argumentReasons.delayAndRunAt());
  }
  if (options.runAt !== undefined) {
    assertDate(options.runAt, 'runAt');
    return options.runAt;
  }
  if (options.delay !== undefined) {
    if (!(typeof options.delay === 'number' && Number.isFinite(options.delay) && options.delay >= 0)) {
      throw new InvalidArgumentError('delay', 'must be a number of milliseconds >= 0');
    }
    const at = new Date(now.getTime() + options.delay);
    assertDate(at, 'delay');
    return at;
  }
  if (!trigger) return now;
  const first = trigger.nextFireTime(now);
  if (!first) throw new InvalidArgumentError('trigger', 'it has no fire time in the future');
  assertDate(first, 'trigger');
  return first;
}

/** The stored form of a trigger given to `scheduleJob`. @throws UnsupportedTriggerError for a custom trigger without one. */
export function storableSpec(trigger: Trigger): ScheduleSpec {
  const spec = specOf(trigger);
  if (!spec) throw new UnsupportedTriggerError(trigger.constructor?.name ?? 'custom trigger');
  return spec;
}
