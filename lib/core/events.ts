import type { HistoryRecord } from './store/job-store.js';

/** Fields every task event carries. */
export interface TaskEventBase {
  slug: string;
  kind: string;
  /** When this run was due. */
  scheduledAt: Date;
  /** 1 for the first attempt of a fire. */
  attempt: number;
  instanceId: string;
}

/**
 * The typed events a scheduler emits. Subscribe with `scheduler.on(name, listener)`; in Nest they are
 * also re-emitted through `@nestjs/event-emitter`, when installed, as `scheduler.<name>`.
 */
export interface SchedulerEvents {
  /** A run began. */
  'job.started': TaskEventBase & { startedAt: Date };
  /** A run succeeded. */
  'job.succeeded': TaskEventBase & { startedAt: Date; finishedAt: Date; durationMs: number };
  /** A run failed (whatever happens next). */
  'job.failed': TaskEventBase & { startedAt: Date; finishedAt: Date; durationMs: number; error: string };
  /** A failed run will be retried at `retryAt`. */
  'job.retrying': TaskEventBase & { error: string; retryAt: Date };
  /** A fire gave up after `maxRetries`: a one-time task is kept as failed, a recurring one moves on. */
  'job.dead': TaskEventBase & { error: string; recurring: boolean };
  /** A recurring task found fires it missed while no instance ran it. */
  'job.misfired': TaskEventBase & { missedFires: number; policy: string };
  /** This instance lost a task's lease (another instance took it over, or it was replaced or deleted). */
  'lease.lost': { slug: string; kind: string; instanceId: string };
  /** A store call failed; the loop retries with backoff. */
  'store.error': { operation: string; error: string; instanceId: string };
  /** A history record was written (when history is on). */
  'history.recorded': HistoryRecord;
}

/** The name of a scheduler event. */
export type SchedulerEventName = keyof SchedulerEvents;

/** A listener of one scheduler event. */
export type SchedulerEventListener<E extends SchedulerEventName> = (event: SchedulerEvents[E]) => void;
