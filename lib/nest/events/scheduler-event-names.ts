import type { SchedulerEventName } from '../../core/events.js';

/**
 * Every event the engine emits, at run time (the `SchedulerEvents` interface is a type only). The
 * check below fails to compile when an event is added to the engine and not here, so that the Nest
 * bridge never silently leaves one out.
 */
export const SCHEDULER_EVENT_NAMES = [
  'job.started',
  'job.succeeded',
  'job.failed',
  'job.retrying',
  'job.dead',
  'job.misfired',
  'lease.lost',
  'store.error',
  'history.recorded',
] as const satisfies readonly SchedulerEventName[];

type Missing = Exclude<SchedulerEventName, (typeof SCHEDULER_EVENT_NAMES)[number]>;
const everyEventListed: [Missing] extends [never] ? true : Missing = true;
void everyEventListed;

/** What engine events are called on `@nestjs/event-emitter`: `scheduler.job.failed`, … */
export const SCHEDULER_EVENT_PREFIX = 'scheduler.';

/** The `@nestjs/event-emitter` name of an engine event: `schedulerEventName('job.failed')` is `'scheduler.job.failed'`. */
export function schedulerEventName<E extends SchedulerEventName>(event: E): `scheduler.${E}` {
  return `${SCHEDULER_EVENT_PREFIX}${event}` as `scheduler.${E}`;
}
