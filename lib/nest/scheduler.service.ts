import { Inject, Injectable } from '@nestjs/common';
import type { SchedulerEventListener, SchedulerEventName } from '../core/events.js';
import type { Job, ScheduledJob } from '../core/job.js';
import type { Payload } from '../core/payload.js';
import type {
  ListJobsOptions,
  RegisterJobOptions,
  ScheduleJobOptions,
  ScheduleJobsItem,
  ScheduleJobsOptions,
  ScheduleJobsResult,
  Scheduler,
  StopOptions,
  TriggerInput,
  SchedulerHealth,
} from '../core/scheduler.types.js';
import type {
  HistoryRecord,
  InstanceRecord,
  KindCounts,
  KindRunStats,
  TaskPage,
} from '../core/store/job-store.js';
import type { JobHandlerClass } from './job-handler.decorator.js';
import { SchedulerMetadataAccessor } from './scheduler-metadata.accessor.js';
import { getSchedulerToken } from './scheduler.constants.js';

/** A kind named by its string or by its `@JobHandler` class. */
export type JobKindRef = string | JobHandlerClass;

/**
 * The scheduler, as Nest code injects it: the engine's API, where a kind may also be given as its
 * `@JobHandler` class (`scheduleJob('invoice-42', SendInvoiceJob, { delay: 60_000 })`), so that a
 * renamed kind is a compile-time change rather than a silent typo.
 */
@Injectable()
export class SchedulerService implements Scheduler {
  constructor(
    @Inject(getSchedulerToken()) private readonly scheduler: Scheduler,
    private readonly metadataAccessor: SchedulerMetadataAccessor,
  ) {}

  /** This instance's id, written as lease owner. */
  get instanceId(): string {
    return this.scheduler.instanceId;
  }

  /** Whether the loop is running on this instance. */
  get isRunning(): boolean {
    return this.scheduler.isRunning;
  }

  /** The loop's health: running, last successful poll and its age, last store error. */
  health(): SchedulerHealth {
    return this.scheduler.health();
  }

  /** Resolves when the loop has nothing left to do right now (for tests with a `VirtualClock`). */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  /**
   * Registers a job by hand (`@JobHandler` providers are registered for you).
   * @throws JobAlreadyRegisteredError when the kind is registered already.
   */
  registerJob(job: Job, options?: RegisterJobOptions): void {
    this.scheduler.registerJob(job, options);
  }

  /** Starts the loop (only needed with `autoStart: false`). */
  start(): Promise<void> {
    return this.scheduler.start();
  }

  /** Stops the loop gracefully (the module does this on shutdown). */
  stop(options?: StopOptions): Promise<void> {
    return this.scheduler.stop(options);
  }

  /**
   * Schedules a task of a kind given as a `Job`, a kind string or a `@JobHandler` class. The kind need
   * not be registered on this instance.
   * @throws JobAlreadyScheduledError when the slug exists and `replace` is not set.
   */
  scheduleJob(
    slug: string,
    jobOrKind: Job | JobKindRef,
    options?: ScheduleJobOptions,
  ): Promise<ScheduledJob> {
    const target = typeof jobOrKind === 'function' ? this.kindOf(jobOrKind) : jobOrKind;
    return this.scheduler.scheduleJob(slug, target, options);
  }

  /**
   * Schedules many tasks at once; an item's kind may be a `Job`, a kind string or a `@JobHandler`
   * class. Every item is checked before anything is written. @see Scheduler.scheduleJobs
   */
  scheduleJobs(
    items: ReadonlyArray<Omit<ScheduleJobsItem, 'kind'> & { kind: Job | JobKindRef }>,
    options?: ScheduleJobsOptions,
  ): Promise<ScheduleJobsResult> {
    return this.scheduler.scheduleJobs(
      items.map((item) =>
        typeof item?.kind === 'function'
          ? { ...item, kind: this.kindOf(item.kind) }
          : (item as ScheduleJobsItem),
      ),
      options,
    );
  }

  /** Runs the fires of a recurring task in a past window once each. @see Scheduler.backfill */
  backfill(slug: string, window: { from: Date; to: Date }): Promise<ScheduleJobsResult> {
    return this.scheduler.backfill(slug, window);
  }

  /** Every slug in the store. For large stores prefer `listJobs`. */
  getJobSlugs(): Promise<string[]> {
    return this.scheduler.getJobSlugs();
  }

  /** @throws JobNotFoundError for an unknown slug. */
  getScheduledJob(slug: string): Promise<ScheduledJob> {
    return this.scheduler.getScheduledJob(slug);
  }

  /** @throws JobNotFoundError for an unknown slug. */
  deleteJob(slug: string): Promise<void> {
    return this.scheduler.deleteJob(slug);
  }

  /** Deletes every task in the store. */
  clear(): Promise<void> {
    return this.scheduler.clear();
  }

  /** A page of tasks, optionally of one kind (a string or a `@JobHandler` class) and state. */
  listJobs(options?: Omit<ListJobsOptions, 'kind'> & { kind?: JobKindRef }): Promise<TaskPage> {
    if (options?.kind === undefined) return this.scheduler.listJobs(options as ListJobsOptions | undefined);
    return this.scheduler.listJobs({ ...options, kind: this.kindOf(options.kind) });
  }

  /** A task's execution history, newest first (when the scheduler keeps history). */
  getJobHistory(slug: string, options?: { limit?: number }): Promise<HistoryRecord[]> {
    return this.scheduler.getJobHistory(slug, options);
  }

  /** Makes sure a recurring task exists with this trigger (created once across instances). */
  ensureRecurring(
    slug: string,
    kind: JobKindRef,
    trigger: TriggerInput,
    options?: { payload?: Payload },
  ): Promise<ScheduledJob> {
    return this.scheduler.ensureRecurring(slug, this.kindOf(kind), trigger, options);
  }

  /** @throws JobNotFoundError for an unknown slug. */
  pauseJob(slug: string): Promise<void> {
    return this.scheduler.pauseJob(slug);
  }

  /** @throws JobNotFoundError for an unknown slug. */
  resumeJob(slug: string): Promise<void> {
    return this.scheduler.resumeJob(slug);
  }

  /** Pauses every task of a kind; returns how many. */
  pauseKind(kind: JobKindRef): Promise<number> {
    return this.scheduler.pauseKind(this.kindOf(kind));
  }

  /** Resumes every task of a kind; returns how many. */
  resumeKind(kind: JobKindRef): Promise<number> {
    return this.scheduler.resumeKind(this.kindOf(kind));
  }

  /** Runs a task once now. @throws JobNotFoundError for an unknown slug. */
  triggerJob(slug: string): Promise<void> {
    return this.scheduler.triggerJob(slug);
  }

  /** Moves a task to a new time or gives it a new trigger. @throws JobNotFoundError for an unknown slug. */
  rescheduleJob(slug: string, options: { runAt?: Date; trigger?: TriggerInput }): Promise<ScheduledJob> {
    return this.scheduler.rescheduleJob(slug, options);
  }

  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerEventListener<E>): () => void {
    return this.scheduler.on(event, listener);
  }

  /** Per kind, how many tasks are scheduled, running, failed and paused. */
  countJobsByKind(): Promise<KindCounts[]> {
    return this.scheduler.countJobsByKind();
  }

  /** Per kind, how the executions that finished since `since` ended (records exist only with `history`). */
  getRunStats(options: { since: Date }): Promise<KindRunStats[]> {
    return this.scheduler.getRunStats(options);
  }

  /** The instances sharing the store that published their record recently (default: within 30 s). */
  listInstances(options?: { maxAgeMs?: number }): Promise<InstanceRecord[]> {
    return this.scheduler.listInstances(options);
  }

  private kindOf(kind: JobKindRef): string {
    return typeof kind === 'string' ? kind : this.metadataAccessor.getKind(kind);
  }
}
