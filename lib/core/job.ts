import type { SchedulerLogger } from './logger.js';
import type { Payload } from './payload.js';
import type { ScheduleSpec } from './schedule/trigger.js';

/**
 * One scheduled unit of work, as a store holds it. A task is named by its `slug` (unique in the
 * store) and run by the job registered for its `kind`.
 */
export interface StoreTask {
  /** Unique name of this task in the store. */
  slug: string;
  /** Which job runs it. */
  kind: string;
  /** What the job receives: JSON or a Buffer, round-tripped exactly. */
  payload: Payload;
  /** When it is due next. */
  runAt: Date;
  /**
   * Among due tasks, higher priority is claimed first (then earlier `runAt`). A whole number from
   * `MIN_PRIORITY` (-1000) to `MAX_PRIORITY` (1000); 0 by default.
   */
  priority: number;
  /**
   * Bumped by the store on every claim and every redefinition (replace, reschedule): a write
   * conditional on the version a claimer saw is rejected once someone else has claimed the task.
   */
  version: number;
  /**
   * Which creation of this slug the task is: new on every create and every replace (and so after
   * a delete and a new create), unchanged by claims and updates. A run belongs to one incarnation:
   * the run of a replaced task never writes its outcome over its successor.
   */
  incarnation: string;
  /** How many retries have happened since the last success (0 after a success). */
  retry: number;
  /** The last run's result or error message. */
  result: string | null;
  /** `true` once a one-time task gave up after `maxRetries`: kept, never claimed, visible. */
  failed: boolean;
  /** `true` while paused: never claimed. */
  paused: boolean;
  /** The schedule of a recurring task; `null` for a one-time task (or one that follows its kind's trigger). */
  schedule: ScheduleSpec | null;
  /** The instance that holds the lease, if any. */
  lockedBy: string | null;
  /** When the lease runs out (the lease is void after this time even if `lockedBy` is set). */
  lockedUntil: Date | null;
  /** When the task was first created. */
  createdAt: Date;
  /** When the task was last written. */
  updatedAt: Date;
  /**
   * The trace context of the call that scheduled the task (W3C `traceparent`, and `tracestate`
   * when there is one), stored only when trace context propagation is on (see
   * `SchedulerOptions.propagateTraceContext` and docs/opentelemetry.md). Absent otherwise. Set by
   * `create` (and a replace), kept by every other write.
   */
  traceContext?: TraceContext;
  /**
   * The key this task counts against for its kind's per-key limit (`keyConcurrency`), computed by
   * the kind's `concurrencyKey` function when the task was created or replaced. Absent: none.
   */
  concurrencyKey?: string;
}

/**
 * A trace context as stored with a task: a small map of propagation fields, in practice the W3C
 * `traceparent` (55 characters) and, when the trace has one, its `tracestate`. At most
 * `MAX_TRACE_CONTEXT_ENTRIES` entries and `MAX_TRACE_CONTEXT_BYTES` UTF-8 bytes of keys and values.
 */
export type TraceContext = Record<string, string>;

/** What a job receives besides its task. */
export interface JobContext {
  /** Aborted when the scheduler stops (after its grace period) or when the lease is lost. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt of this fire, 2 for the first retry, … */
  readonly attempt: number;
  /** When this run was due (the task's `runAt` when it was claimed). */
  readonly scheduledAt: Date;
  /** A logger whose lines name this task's slug and kind. */
  readonly logger: SchedulerLogger;
  /** The id of the instance running the job. */
  readonly instanceId: string;
}

/**
 * What a job returns:
 * - nothing, or the task (optionally changed): success. A recurring task is rescheduled at its next
 *   fire time; a one-time task is deleted. If the returned task's `runAt` is later than the next fire
 *   (or, for a one-time task, later than now), the task is rescheduled at that time instead. A changed
 *   `payload` is stored.
 * - `null`: the task is removed.
 * Throwing (or rejecting) is a failure: the task is retried after a backoff.
 */
export type JobResult = StoreTask | null | void | undefined;

/** A unit of work, found by its `kind`. */
export interface Job {
  /** The kind of tasks this job runs. */
  readonly kind: string;
  /** Runs one task. See {@link JobResult} for what the outcome means. */
  execute(task: StoreTask, ctx: JobContext): Promise<JobResult>;
}

/** The state of a task as operators see it. */
export type JobState = 'scheduled' | 'running' | 'failed' | 'paused';

/** What `getScheduledJob` returns: a task seen from outside. */
export interface ScheduledJob {
  slug: string;
  kind: string;
  /** When it runs next (for a failed task: when it last would have). */
  nextRunTime: Date;
  /** Among due tasks, higher priority is claimed first (see {@link StoreTask.priority}). */
  priority: number;
  /** The key of its kind's per-key limit, if it has one (see {@link StoreTask.concurrencyKey}). */
  concurrencyKey?: string;
  payload: Payload;
  /** Which creation of this slug it is (see {@link StoreTask.incarnation}). */
  incarnation: string;
  retry: number;
  /** Last result or error message. */
  result: string | null;
  failed: boolean;
  paused: boolean;
  state: JobState;
  /** The task's own schedule, if it has one. */
  schedule: ScheduleSpec | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The trace context stored with the task, if any (see {@link StoreTask.traceContext}). */
  traceContext?: TraceContext;
}
