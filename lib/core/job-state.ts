import type { JobState, ScheduledJob, StoreTask } from './job.js';

/**
 * The state precedence every store's `list` filters on and `getScheduledJob` reports: a live lease
 * is `running` whatever else holds (a task paused while it runs is still running), then `paused`,
 * then `failed`, else `scheduled`. One place, because the stores that compute it in memory (memory,
 * Firestore) and the engine must agree; PostgreSQL states the same order in its SQL.
 */
export function jobState(paused: boolean, failed: boolean, leaseLive: boolean): JobState {
  if (leaseLive) return 'running';
  if (paused) return 'paused';
  if (failed) return 'failed';
  return 'scheduled';
}

/** The state of a task at `now`. */
export function stateOf(
  task: Pick<StoreTask, 'paused' | 'failed' | 'lockedBy' | 'lockedUntil'>,
  now: Date,
): JobState {
  const leaseLive = task.lockedBy !== null && task.lockedUntil !== null && task.lockedUntil > now;
  return jobState(task.paused, task.failed, leaseLive);
}

/** A stored task as the API shows it (`getScheduledJob`, `listJobs`, the console and the CLI), at `now`. */
export function scheduledJobOf(task: StoreTask, now: Date): ScheduledJob {
  return {
    slug: task.slug,
    kind: task.kind,
    nextRunTime: task.runAt,
    priority: task.priority,
    ...(task.concurrencyKey !== undefined && { concurrencyKey: task.concurrencyKey }),
    payload: task.payload,
    incarnation: task.incarnation,
    retry: task.retry,
    result: task.result,
    failed: task.failed,
    paused: task.paused,
    state: stateOf(task, now),
    schedule: task.schedule,
    lockedBy: task.lockedBy,
    lockedUntil: task.lockedUntil,
    version: task.version,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...(task.traceContext && { traceContext: task.traceContext }),
  };
}
