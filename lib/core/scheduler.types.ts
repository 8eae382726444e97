import type { Backoff, BackoffFunction } from './backoff.types.js';
import type { Clock } from './clock.js';
import type { Job, JobState, ScheduledJob } from './job.js';
import type { SchedulerLogger } from './logger.js';
import type { Payload } from './payload.js';
import type { Trigger } from './schedule/trigger.js';
import type { SchedulerEventListener, SchedulerEventName } from './events.js';
import type { SchedulerInstrumentation } from './instrumentation.js';
import type {
  ConflictPolicy,
  HistoryRecord,
  InstanceRecord,
  KindCounts,
  KindRunStats,
  TaskPage,
} from './store/job-store.js';

/**
 * What to do with the fires a recurring task missed while no instance ran it:
 * - `fire-once` (default): one run for the whole missed window, then the next fire after now;
 * - `catch-up`: every missed fire, back to back;
 * - `{ catchUp: { maxFires?, maxAgeMs? } }`: a bounded catch-up: only the last `maxFires` missed
 *   fires, and only those newer than `maxAgeMs`, then carry on from now (an outage of three days does
 *   not start 4,320 back-to-back runs of a one-minute job);
 * - `skip`: none; the next fire after now.
 */
export type MisfirePolicy =
  'fire-once' | 'catch-up' | 'skip' | { catchUp: { maxFires?: number; maxAgeMs?: number } };

/**
 * What a recurring task does with fires that come due while its own run is still going (its one
 * row is leased while it runs, so two runs of one task never overlap):
 * - `skip` (default): they are dropped; the task moves on to its next fire after the run ends;
 * - `buffer-one`: one more run right after this one (for the latest of them), then on schedule.
 */
export type OverlapPolicy = 'skip' | 'buffer-one';

/**
 * A schedule as users write it: a cron string (`'0 9 * * 1-5'`, `'@every 30s'`, `'@daily'`),
 * `{ cron, timeZone }`, `{ every }` (milliseconds or a duration string like `'1h30m'`), or a trigger
 * object. Only storable triggers (cron and interval) may be given to `scheduleJob`.
 */
export type TriggerInput =
  string | { cron: string; timeZone?: string } | { every: number | string } | Trigger;

/** Options of `registerJob`. */
export interface RegisterJobOptions {
  /** Makes tasks of this kind recurring by default (tasks scheduled with their own trigger keep theirs). */
  trigger?: TriggerInput;
  /** How long to wait between retries. Default: `new ExponentialBackoff()` (10 s doubling to 10 min). */
  backoff?: Backoff | BackoffFunction;
  /**
   * Retries after which a failing fire gives up: a one-time task is kept as failed, a recurring one
   * moves on to its next regular fire. Default: unlimited.
   */
  maxRetries?: number;
  /** Default `fire-once`. */
  misfirePolicy?: MisfirePolicy;
  /** Default `skip`. */
  overlap?: OverlapPolicy;
  /** Runs of this kind at once on this instance. Default: the scheduler's `maxConcurrency`. */
  concurrency?: number;
  /**
   * Longest run, in ms. At the timeout the job's `ctx.signal` aborts with reason `'timeout'` and the
   * run counts as a failure (backoff, `maxRetries`). A job that ignores its signal is waited for
   * `abortGraceMs` more (see `SchedulerOptions`); then its slot is freed and its failure written,
   * while it may go on in the background (reported by `health().detachedRuns`). Default: none.
   */
  timeoutMs?: number;
  /**
   * The priority of this kind's tasks when `scheduleJob` does not give one: a whole number from
   * -1000 to 1000, higher claimed first among due tasks (then earlier run time). Default 0.
   */
  priority?: number;
  /**
   * Runs of this kind at once across every instance on the store, enforced by the store's claim
   * (not by a lock held by a process: the share of an instance that dies is freed when its leases
   * run out). Tasks over the limit wait, due. A whole number from 1 to 10,000. Default: no limit.
   */
  globalConcurrency?: number;
  /**
   * The key a task counts against for `keyConcurrency` ("at most one sync per tenant"): called with
   * the task when it is created or replaced through this instance, and stored with it. Must return
   * a non-empty string of at most 256 UTF-8 bytes (or `null`/`undefined`: no key). The key is
   * computed where the task is scheduled, so register the kind (with this option) on every instance
   * that schedules it; a task scheduled where the kind is not registered has no key.
   */
  concurrencyKey?: (task: ConcurrencyKeyInput) => string | null | undefined;
  /**
   * Runs at once per concurrency key across every instance. Default 1 when `concurrencyKey` is
   * given; a whole number from 1 to 10,000.
   */
  keyConcurrency?: number;
  /**
   * At most `max` runs of this kind start within any `perMs` ms across every instance (a sliding
   * window kept by the store). Tasks over the limit wait, due; they are not failed. `max` from 1 to
   * 10,000, `perMs` from 1 ms to one day.
   */
  rateLimit?: { max: number; perMs: number };
}

/** What `concurrencyKey` is called with: the task being created. */
export interface ConcurrencyKeyInput {
  slug: string;
  kind: string;
  payload: Payload;
}

/** Options of `scheduleJob`. */
export interface ScheduleJobOptions {
  /** Run after this many milliseconds (from now). */
  delay?: number;
  /** Run at this time. Default: now, or, for a recurring task, its first fire after now. */
  runAt?: Date;
  /** What the job receives. Checked before anything is written. */
  payload?: Payload;
  /** Overwrite an existing task with this slug (also the way to retry a failed task). */
  replace?: boolean;
  /** This task's own recurring schedule. */
  trigger?: TriggerInput;
  /** Create the task inside the caller's transaction (store-specific, see the store). */
  tx?: unknown;
  /** Create the task paused. */
  paused?: boolean;
  /**
   * Higher is claimed first among due tasks: a whole number from -1000 to 1000. Default: the kind's
   * `priority` (`registerJob`), else 0.
   */
  priority?: number;
  /**
   * Store the caller's trace context with this task (overrides the scheduler's
   * `propagateTraceContext`). Needs an `instrumentation`; see docs/opentelemetry.md.
   */
  propagateTraceContext?: boolean;
}

/** One task of `scheduleJobs`: what `scheduleJob` takes, as one object. */
export interface ScheduleJobsItem {
  slug: string;
  /** The kind, or a job of it. */
  kind: Job | string;
  payload?: Payload;
  delay?: number;
  runAt?: Date;
  trigger?: TriggerInput;
  paused?: boolean;
  /** As `scheduleJob`'s `priority`. */
  priority?: number;
}

/** Options of `scheduleJobs`. */
export interface ScheduleJobsOptions {
  /**
   * A slug that exists: `'error'` (default) refuses the call with `JobAlreadyScheduledError`,
   * `'skip'` leaves the existing task, `'replace'` overwrites it (a new incarnation).
   */
  onConflict?: ConflictPolicy;
  /** Create the tasks inside the caller's transaction (store-specific, as for `scheduleJob`). */
  tx?: unknown;
  /** Store the caller's trace context with the tasks (one for the batch). Default: the scheduler's `propagateTraceContext`. */
  propagateTraceContext?: boolean;
}

/** What `scheduleJobs` did. */
export interface ScheduleJobsResult {
  /** Per item, in the order given: its slug and whether it was created, skipped or replaced. */
  items: Array<{ slug: string; status: 'created' | 'skipped' | 'replaced' }>;
  created: number;
  skipped: number;
  replaced: number;
}

/** Options of a `StdScheduler`. */
export interface SchedulerOptions {
  /** How often an idle loop re-checks the store, in ms. Default 1000. */
  heartbeat?: number;
  /**
   * How often an idle loop re-checks the store when the store pushes wake-ups (PostgreSQL
   * LISTEN/NOTIFY), so polling is only a safety net. Default 10 × `heartbeat`.
   */
  wakeupHeartbeat?: number;
  /** A random extra of up to this many ms added to each idle sleep, to spread instances. Default 0. */
  jitter?: number;
  /** Lease length in ms; renewed every `leaseMs / 3` while a job runs. Default 30000. */
  leaseMs?: number;
  /** Jobs run at once on this instance. Default 10. */
  maxConcurrency?: number;
  /** Tasks claimed in one store call. Default `maxConcurrency`. */
  batchSize?: number;
  /** The time source. Default: the system clock. */
  clock?: Clock;
  /** Where the engine logs. Default: the console. */
  logger?: SchedulerLogger;
  /** This instance's id, written as lease owner. Default: hostname, pid and a random suffix. */
  instanceId?: string;
  /** Keep one history record per execution, pruned after `retention` (ms or `'7d'`, `'12h'`). */
  history?: { retention: number | string };
  /**
   * Longest wait for one store call, in ms of real time. A store that stops answering (a
   * connection stalled without being closed) fails that call with a `StoreTimeoutError` instead of
   * holding the loop, a lease renewal, `scheduleJob` or `stop()`. The call may still be applied
   * later. Default 30000.
   */
  storeTimeoutMs?: number;
  /**
   * How long a job whose signal was aborted (timeout, lease lost, task replaced or deleted) may take
   * to return before its slot is freed and it is left to run on in the background (see
   * `health().detachedRuns`). Default 5000.
   */
  abortGraceMs?: number;
  /** Default `timeoutMs` of `stop()`. Default 10000. */
  stopTimeoutMs?: number;
  /**
   * While the loop runs, publish this instance's record (host, pid, kinds, jobs in flight, health)
   * to the store every `publishEveryMs` (default 5000), so that `listInstances()` and the console
   * see it; removed on graceful stop. `false`: publish nothing (the instance is then invisible to
   * the console, which shows its kinds' tasks as orphaned).
   */
  instanceRegistry?: { publishEveryMs?: number } | false;
  /**
   * Tracing hooks around scheduling, executions, claims and settles. For OpenTelemetry:
   * `new OpenTelemetryInstrumentation()` from `nestjs-durable-scheduler/otel` (docs/opentelemetry.md).
   * Default: none (nothing is traced, and the engine pays nothing for it).
   */
  instrumentation?: SchedulerInstrumentation;
  /**
   * Store the trace context of each scheduling call (`scheduleJob`, `ensureRecurring`) with its task,
   * so that the execution, minutes or days later and on any instance, links to the trace that
   * scheduled it. At most `MAX_TRACE_CONTEXT_BYTES` (1 KiB; about 80 bytes in practice) per task.
   * Needs an `instrumentation`; a call's own `propagateTraceContext` overrides it. Default `false`.
   */
  propagateTraceContext?: boolean;
}

/** Options of `stop`. */
export interface StopOptions {
  /** How long to wait for running jobs before aborting them. Default 10000. */
  timeoutMs?: number;
}

/** Options of `listJobs`. */
export interface ListJobsOptions {
  kind?: string;
  state?: JobState;
  /** Only slugs that start with this text. */
  slugPrefix?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  cursor?: string | null;
}

/** What `health()` reports: enough for a readiness probe or a health indicator. */
export interface SchedulerHealth {
  instanceId: string;
  /** The loop runs. */
  running: boolean;
  /** When a store call of the loop last succeeded (`null` before the first). */
  lastPollAt: Date | null;
  /** Milliseconds since `lastPollAt` (`null` before the first poll). */
  lastPollAgeMs: number | null;
  /** The last store error of the loop, `null` once a store call succeeds again. */
  lastStoreError: string | null;
  /** Store errors in a row. */
  consecutiveStoreErrors: number;
  /** Tasks claimed by this instance and not yet settled. */
  inFlight: number;
  /** The kinds this instance runs. */
  kinds: string[];
  /** How long the oldest job running here has run, in ms (`null` when none runs). */
  oldestRunningMs: number | null;
  /**
   * Jobs whose signal was aborted (timeout, lease lost, replaced, deleted) and that did not return
   * within `abortGraceMs`: their slots were freed, but they may still be running.
   */
  detachedRuns: number;
  /** Run outcomes waiting to be written to the store. */
  pendingOutcomes: number;
  /** How long the oldest of them has waited, in ms (`null` when none waits). */
  oldestPendingOutcomeMs: number | null;
  /** The last error writing outcomes, `null` once a write succeeds again. */
  lastOutcomeWriteError: string | null;
  /** Outcomes given up on because the store refused even their plainest form (see the log). */
  unwritableOutcomes: number;
}

/** The public face of a scheduler. */
export interface Scheduler {
  registerJob(job: Job, options?: RegisterJobOptions): void;
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  scheduleJob(slug: string, jobOrKind: Job | string, options?: ScheduleJobOptions): Promise<ScheduledJob>;
  /**
   * Schedules many tasks in as few store writes as the store can (PostgreSQL: one statement per
   * chunk). Every item is checked before anything is written.
   */
  scheduleJobs(
    items: readonly ScheduleJobsItem[],
    options?: ScheduleJobsOptions,
  ): Promise<ScheduleJobsResult>;
  /** Runs the fires of a recurring task in a past window once each. */
  backfill(slug: string, window: { from: Date; to: Date }): Promise<ScheduleJobsResult>;
  getJobSlugs(): Promise<string[]>;
  getScheduledJob(slug: string): Promise<ScheduledJob>;
  deleteJob(slug: string): Promise<void>;
  clear(): Promise<void>;
  listJobs(options?: ListJobsOptions): Promise<TaskPage>;
  getJobHistory(slug: string, options?: { limit?: number }): Promise<HistoryRecord[]>;
  /**
   * Makes sure a recurring task exists for `slug` with this trigger: created once across any number
   * of instances; when the stored schedule differs (a deploy changed the cron), the schedule and the
   * next run time are updated. Used by the Nest module for `@JobHandler(kind, cron)`.
   */
  ensureRecurring(
    slug: string,
    kind: string,
    trigger: TriggerInput,
    options?: { payload?: Payload },
  ): Promise<ScheduledJob>;
  /** A paused task is never claimed; a run in flight finishes. */
  pauseJob(slug: string): Promise<void>;
  /** Resumes a paused task; a recurring one continues under its misfire policy. */
  resumeJob(slug: string): Promise<void>;
  /** Pauses every task of a kind; returns how many. */
  pauseKind(kind: string): Promise<number>;
  /** Resumes every task of a kind; returns how many. */
  resumeKind(kind: string): Promise<number>;
  /** Runs a task once now; a recurring task then carries on with its schedule. */
  triggerJob(slug: string): Promise<void>;
  /** Moves a task to a new time or gives it a new trigger. */
  rescheduleJob(slug: string, options: { runAt?: Date; trigger?: TriggerInput }): Promise<ScheduledJob>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerEventListener<E>): () => void;
  /** The instance id written as lease owner. */
  readonly instanceId: string;
  /** Whether the loop is running. */
  readonly isRunning: boolean;
  /** The loop's health: running, last successful poll, last store error. */
  health(): SchedulerHealth;
  /**
   * Resolves when the loop has nothing to do right now: no job runs here, no outcome waits to be
   * written, and the loop sleeps toward a later time. Meant for tests with a `VirtualClock`.
   */
  whenIdle(): Promise<void>;
  /** Per kind, how many tasks are scheduled, running, failed and paused. */
  countJobsByKind(): Promise<KindCounts[]>;
  /** Per kind, how the executions that finished since `since` ended (records exist only with `history`). */
  getRunStats(options: { since: Date }): Promise<KindRunStats[]>;
  /**
   * The instances sharing this store that published their record within `maxAgeMs` (default
   * `INSTANCE_LIVE_WINDOW_MS`, 30 s): who runs which kinds, what they hold, their health.
   */
  listInstances(options?: { maxAgeMs?: number }): Promise<InstanceRecord[]>;
}
