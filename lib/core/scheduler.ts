import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { SystemClock, type Clock } from './clock.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { InvalidSlugError } from './errors/invalid-slug.error.js';
import { JobAlreadyScheduledError } from './errors/job-already-scheduled.error.js';
import { JobNotFoundError } from './errors/job-not-found.error.js';
import { JobRunningError } from './errors/job-running.error.js';
import { UnsupportedTriggerError } from './errors/unsupported-trigger.error.js';
import { EventBus, errorMessage } from './event-bus.js';
import type { SchedulerEventListener, SchedulerEventName } from './events.js';
import { Executor } from './executor.js';
import { InstancePublisher, publishEveryOf } from './instance-publisher.js';
import { stateOf } from './job-state.js';
import type { Job, ScheduledJob, StoreTask } from './job.js';
import { LeaseKeeper } from './lease-keeper.js';
import { consoleLogger, type SchedulerLogger } from './logger.js';
import { assertStorablePayload, type Payload } from './payload.js';
import { JobRegistry } from './registry.js';
import { RunLoop } from './run-loop.js';
import type {
  ListJobsOptions,
  RegisterJobOptions,
  ScheduleJobOptions,
  Scheduler,
  SchedulerHealth,
  SchedulerOptions,
  StopOptions,
  TriggerInput,
} from './scheduler.types.js';
import { parseDuration } from './schedule/duration.js';
import { sameSpec, specOf, toTrigger } from './schedule/schedule-spec.js';
import type { ScheduleSpec, Trigger } from './schedule/trigger.js';
import { SettleQueue } from './settle-queue.js';
import { Waker } from './waker.js';
import type {
  HistoryRecord,
  InstanceRecord,
  JobStore,
  KindCounts,
  KindRunStats,
  TaskPage,
  TaskPatch,
  UpdateOptions,
} from './store/job-store.js';
import { assertListLimit } from './store/store-arguments.js';

const DEFAULTS = {
  heartbeat: 1_000,
  jitter: 0,
  leaseMs: 30_000,
  maxConcurrency: 10,
  stopTimeoutMs: 10_000,
} as const;

/** How often history is pruned, at most. */
const HISTORY_PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * The standard scheduler: registers jobs, writes tasks to a {@link JobStore}, and runs a loop that
 * claims due tasks under a lease, runs them, and reschedules, retries or deletes them. Any number of
 * instances may share one store; each fire runs once.
 *
 * ```ts
 * const scheduler = new StdScheduler(new MemoryStore());
 * scheduler.registerJob(new PrintJob(), { trigger: '@every 30s' });
 * await scheduler.start();
 * await scheduler.scheduleJob('hello', 'print', { payload: 'hello world', delay: 1000 });
 * ```
 */
export class StdScheduler implements Scheduler {
  /** The id this instance writes as lease owner. */
  readonly instanceId: string;
  private readonly clock: Clock;
  private readonly logger: SchedulerLogger;
  private readonly events: EventBus;
  private readonly registry = new JobRegistry();
  private readonly waker: Waker;
  private readonly settleQueue: SettleQueue;
  private readonly loop: RunLoop;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly instancePublisher: InstancePublisher;
  private readonly historyRetentionMs: number | null;
  private initialized: Promise<void> | null = null;
  private unsubscribeWake: (() => void) | null = null;
  private pruneTimer: Promise<void> | null = null;
  private pruneController: AbortController | null = null;

  constructor(
    private readonly store: JobStore,
    options: SchedulerOptions = {},
  ) {
    const heartbeat = positive('heartbeat', options.heartbeat ?? DEFAULTS.heartbeat);
    const leaseMs = positive('leaseMs', options.leaseMs ?? DEFAULTS.leaseMs);
    const maxConcurrency = wholeAtLeastOne(
      'maxConcurrency',
      options.maxConcurrency ?? DEFAULTS.maxConcurrency,
    );
    const batchSize = wholeAtLeastOne('batchSize', options.batchSize ?? maxConcurrency);
    const jitter = options.jitter ?? DEFAULTS.jitter;
    if (!(jitter >= 0)) throw new InvalidArgumentError('jitter', 'must be >= 0');
    const wakeupHeartbeat = positive('wakeupHeartbeat', options.wakeupHeartbeat ?? heartbeat * 10);

    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.events = new EventBus(this.logger);
    this.waker = new Waker(this.clock);
    this.historyRetentionMs = options.history ? retentionMs(options.history.retention) : null;

    this.settleQueue = new SettleQueue({
      store,
      owner: this.instanceId,
      clock: this.clock,
      logger: this.logger,
      events: this.events,
      maxBatch: Math.max(batchSize, 100),
      onSettled: (execution) => this.loop.settled(execution),
      afterBatch: () => this.waker.wake(),
    });
    const executor = new Executor({
      clock: this.clock,
      logger: this.logger,
      events: this.events,
      registry: this.registry,
      settleQueue: this.settleQueue,
      instanceId: this.instanceId,
      recordHistory: this.historyRetentionMs !== null,
    });
    this.loop = new RunLoop({
      store,
      registry: this.registry,
      executor,
      settleQueue: this.settleQueue,
      waker: this.waker,
      clock: this.clock,
      logger: this.logger,
      events: this.events,
      settings: {
        owner: this.instanceId,
        leaseMs,
        maxConcurrency,
        batchSize,
        // Polling is only a safety net when the store pushes wake-ups (PostgreSQL LISTEN/NOTIFY).
        pollMs: store.onWake ? wakeupHeartbeat : heartbeat,
        jitter,
      },
    });
    this.leaseKeeper = new LeaseKeeper({
      store,
      owner: this.instanceId,
      clock: this.clock,
      logger: this.logger,
      events: this.events,
      leaseMs,
      held: () => this.loop.inFlight.values(),
    });
    this.instancePublisher = new InstancePublisher({
      store,
      clock: this.clock,
      logger: this.logger,
      everyMs: publishEveryOf(options.instanceRegistry),
      health: () => this.health(),
    });
  }

  /** Whether the loop runs. */
  get isRunning(): boolean {
    return this.loop.isRunning;
  }

  /**
   * Registers a job for its kind: this instance will claim and run tasks of that kind.
   * @throws JobAlreadyRegisteredError for a kind registered twice; InvalidCronExpressionError for a bad trigger.
   */
  registerJob(job: Job, options: RegisterJobOptions = {}): void {
    this.registry.register(job, options);
    this.waker.wake();
  }

  /** Prepares the store and starts the loop. Resolves once the loop runs. */
  async start(): Promise<void> {
    if (this.loop.isRunning) return;
    await this.ready();
    if (this.loop.isRunning) return;
    if (this.store.onWake) this.unsubscribeWake = this.store.onWake((runAt) => this.waker.wakeFor(runAt));
    this.loop.start();
    this.leaseKeeper.start();
    this.instancePublisher.start();
    this.startHistoryPruning();
    this.logger.log(
      `Scheduler ${this.instanceId} started (kinds: ${this.registry.kinds().join(', ') || 'none'})`,
    );
  }

  /**
   * Graceful stop: stops claiming, waits up to `timeoutMs` for running jobs, then aborts their
   * signals and releases their leases so that another instance can take them at once.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.loop.isRunning) return;
    const timeoutMs = options.timeoutMs ?? DEFAULTS.stopTimeoutMs;
    this.unsubscribeWake?.();
    this.unsubscribeWake = null;
    await this.loop.halt();
    const deadline = this.clock.now().getTime() + timeoutMs;
    await this.waitForRunningJobs(timeoutMs);
    const abandoned = this.loop.abandonRunning();
    if (abandoned.length > 0) {
      this.logger.warn(
        `Stop timed out: aborted ${abandoned.length} running job(s) and released their leases`,
      );
      try {
        await this.store.release(this.instanceId, abandoned);
      } catch (error) {
        this.logger.error(`Releasing leases failed (they will expire instead): ${errorMessage(error)}`);
      }
    }
    await this.settleQueue.drain(Math.max(0, deadline - this.clock.now().getTime()));
    await this.leaseKeeper.stop();
    await this.instancePublisher.stop();
    this.pruneController?.abort();
    await this.pruneTimer;
    this.logger.log(`Scheduler ${this.instanceId} stopped`);
  }

  /**
   * Creates a task. Without `trigger` it is one-time (unless its kind was registered with a trigger,
   * which is then its schedule). The kind need not be registered on this instance.
   * @throws JobAlreadyScheduledError when the slug exists and `replace` is not set;
   *   InvalidPayloadError, InvalidSlugError, InvalidCronExpressionError, UnsupportedTriggerError.
   */
  async scheduleJob(
    slug: string,
    jobOrKind: Job | string,
    options: ScheduleJobOptions = {},
  ): Promise<ScheduledJob> {
    assertSlug(slug);
    const kind = typeof jobOrKind === 'string' ? jobOrKind : jobOrKind?.kind;
    if (typeof kind !== 'string' || kind === '')
      throw new InvalidArgumentError('kind', 'must be a non-empty string');
    const payload: Payload = options.payload === undefined ? null : options.payload;
    assertStorablePayload(payload);
    const ownTrigger = options.trigger === undefined ? null : toTrigger(options.trigger);
    const schedule = ownTrigger ? storableSpec(ownTrigger) : null;
    const trigger = ownTrigger ?? this.registry.get(kind)?.trigger ?? null;
    const runAt = this.firstRunAt(options, trigger);
    await this.ready();
    const task = await this.store.create(
      { slug, kind, payload, runAt, schedule, paused: options.paused ?? false },
      { replace: options.replace ?? false, tx: options.tx },
    );
    this.waker.wakeFor(task.runAt);
    return this.toScheduledJob(task);
  }

  /** Every slug in the store. For a large store prefer {@link listJobs}. */
  async getJobSlugs(): Promise<string[]> {
    await this.ready();
    return this.store.getSlugs();
  }

  /** A task's kind, next run time, payload, retry count, last result and state. @throws JobNotFoundError */
  async getScheduledJob(slug: string): Promise<ScheduledJob> {
    await this.ready();
    const task = await this.store.get(slug);
    if (!task) throw new JobNotFoundError(slug);
    return this.toScheduledJob(task);
  }

  /** Deletes a task (a run in flight on this instance is aborted). @throws JobNotFoundError */
  async deleteJob(slug: string): Promise<void> {
    await this.ready();
    if (!(await this.store.delete(slug))) throw new JobNotFoundError(slug);
    this.loop.abortLocal(slug);
  }

  /** Deletes every task. */
  async clear(): Promise<void> {
    await this.ready();
    await this.store.clear();
  }

  /** A page of tasks, filtered by kind and state. */
  async listJobs(options: ListJobsOptions = {}): Promise<TaskPage> {
    const limit = options.limit ?? 100;
    assertListLimit(limit);
    await this.ready();
    return this.store.list({
      kind: options.kind,
      state: options.state,
      slugPrefix: options.slugPrefix,
      limit,
      cursor: options.cursor ?? null,
    });
  }

  /** A task's execution history, newest first (needs the `history` option). */
  async getJobHistory(slug: string, options: { limit?: number } = {}): Promise<HistoryRecord[]> {
    await this.ready();
    return this.store.getHistory(slug, options.limit ?? 50);
  }

  /** @inheritdoc */
  async ensureRecurring(
    slug: string,
    kind: string,
    triggerInput: TriggerInput,
    options: { payload?: Payload } = {},
  ): Promise<ScheduledJob> {
    assertSlug(slug);
    const trigger = toTrigger(triggerInput);
    const schedule = storableSpec(trigger);
    const payload = options.payload ?? null;
    assertStorablePayload(payload);
    await this.ready();
    for (;;) {
      const existing = await this.store.get(slug);
      if (!existing) {
        try {
          const task = await this.store.create({
            slug,
            kind,
            payload,
            runAt: this.firstRunAt({}, trigger),
            schedule,
          });
          this.waker.wakeFor(task.runAt);
          return this.toScheduledJob(task);
        } catch (error) {
          if (error instanceof JobAlreadyScheduledError) continue; // another instance won the race
          throw error;
        }
      }
      if (existing.kind === kind && sameSpec(existing.schedule, schedule))
        return this.toScheduledJob(existing);
      const runAt = this.firstRunAt({}, trigger);
      const task = await this.mustUpdate(slug, { schedule, runAt }, 'reschedule');
      this.logger.log(
        `[${kind}:${slug}] schedule changed to ${describe(schedule)}; next run ${runAt.toISOString()}`,
      );
      return this.toScheduledJob(task);
    }
  }

  /** @inheritdoc */
  async pauseJob(slug: string): Promise<void> {
    await this.mustUpdate(slug, { paused: true }, 'pause');
  }

  /** @inheritdoc */
  async resumeJob(slug: string): Promise<void> {
    const task = await this.mustUpdate(slug, { paused: false }, 'resume');
    this.waker.wakeFor(task.runAt);
  }

  /** @inheritdoc */
  async pauseKind(kind: string): Promise<number> {
    await this.ready();
    return this.store.setPausedByKind(kind, true);
  }

  /** @inheritdoc */
  async resumeKind(kind: string): Promise<number> {
    await this.ready();
    const count = await this.store.setPausedByKind(kind, false);
    this.waker.wake();
    return count;
  }

  /**
   * Runs a task once now: a recurring task then carries on with its schedule, a failed one-time task
   * is retried from scratch. A paused task stays paused (it runs once resumed).
   * @throws JobNotFoundError; JobRunningError while it runs.
   */
  async triggerJob(slug: string): Promise<void> {
    const task = await this.mustUpdate(
      slug,
      { runAt: this.clock.now(), failed: false, retry: 0 },
      'trigger',
      { ifIdle: true },
    );
    this.waker.wakeFor(task.runAt);
  }

  /**
   * Moves a task to `runAt`, or gives it a new `trigger` (next run: `runAt` or the trigger's first
   * fire after now). @throws JobNotFoundError; JobRunningError while it runs.
   */
  async rescheduleJob(
    slug: string,
    options: { runAt?: Date; trigger?: TriggerInput },
  ): Promise<ScheduledJob> {
    const patch: TaskPatch = {};
    if (options.trigger !== undefined) {
      const trigger = toTrigger(options.trigger);
      patch.schedule = storableSpec(trigger);
      patch.runAt = options.runAt ?? this.firstRunAt({}, trigger);
    } else if (options.runAt instanceof Date && !Number.isNaN(options.runAt.getTime())) {
      patch.runAt = options.runAt;
    } else {
      throw new InvalidArgumentError('rescheduleJob options', 'give a valid runAt or a trigger');
    }
    const task = await this.mustUpdate(slug, patch, 'reschedule', { ifIdle: true });
    this.waker.wakeFor(task.runAt);
    return this.toScheduledJob(task);
  }

  /** The loop's health: running, last successful poll and its age, last store error. */
  health(): SchedulerHealth {
    const lastPollAt = this.loop.lastPollAt;
    return {
      instanceId: this.instanceId,
      running: this.loop.isRunning,
      lastPollAt,
      lastPollAgeMs: lastPollAt ? this.clock.now().getTime() - lastPollAt.getTime() : null,
      lastStoreError: this.loop.lastStoreError,
      consecutiveStoreErrors: this.loop.consecutiveStoreErrors,
      inFlight: this.loop.inFlight.size,
      kinds: [...this.registry.kinds()],
    };
  }

  /** Subscribes to a typed event; returns the unsubscribe function. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerEventListener<E>): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Resolves when the loop has nothing to do: no job runs here, no outcome waits to be written, and
   * the loop sleeps toward the next due time. With a {@link VirtualClock}, `clock.advanceBy(ms)`
   * followed by `await scheduler.whenIdle()` runs everything that became due, without sleeping.
   */
  async whenIdle(): Promise<void> {
    let quietTurns = 0;
    // Two quiet turns of the event loop in a row: the loop has really gone back to sleep.
    while (quietTurns < 2) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      quietTurns = this.loop.isIdle() || !this.loop.isRunning ? quietTurns + 1 : 0;
    }
  }

  /** Per kind, how many tasks are scheduled, running, failed and paused (one store call). */
  async countJobsByKind(): Promise<KindCounts[]> {
    await this.ready();
    return this.store.countByKind();
  }

  /** Per kind, how the executions that finished since `since` ended (needs the `history` option). */
  async getRunStats(options: { since: Date }): Promise<KindRunStats[]> {
    await this.ready();
    return this.store.countHistory(options?.since);
  }

  /**
   * The instances sharing this store that published their record within `maxAgeMs` (default: 30 s,
   * or three publishing beats of this instance if longer). @see SchedulerOptions.instanceRegistry
   */
  async listInstances(options: { maxAgeMs?: number } = {}): Promise<InstanceRecord[]> {
    await this.ready();
    return this.store.listInstances(options.maxAgeMs ?? this.instancePublisher.liveWindowMs);
  }

  private ready(): Promise<void> {
    this.initialized ??= this.store.init().catch((error: unknown) => {
      this.initialized = null;
      throw error;
    });
    return this.initialized;
  }

  private async mustUpdate(
    slug: string,
    patch: TaskPatch,
    action: string,
    options?: UpdateOptions,
  ): Promise<StoreTask> {
    await this.ready();
    const result = await this.store.update(slug, patch, options);
    if (result.status === 'not-found') throw new JobNotFoundError(slug);
    if (result.status === 'running') throw new JobRunningError(slug, action);
    return result.task;
  }

  private firstRunAt(options: Pick<ScheduleJobOptions, 'runAt' | 'delay'>, trigger: Trigger | null): Date {
    if (options.runAt !== undefined) {
      if (!(options.runAt instanceof Date) || Number.isNaN(options.runAt.getTime())) {
        throw new InvalidArgumentError('runAt', 'must be a valid Date');
      }
      return options.runAt;
    }
    const now = this.clock.now();
    if (options.delay !== undefined) {
      if (!(Number.isFinite(options.delay) && options.delay >= 0)) {
        throw new InvalidArgumentError('delay', 'must be a number of milliseconds >= 0');
      }
      return new Date(now.getTime() + options.delay);
    }
    if (!trigger) return now;
    const first = trigger.nextFireTime(now);
    if (!first) throw new InvalidArgumentError('trigger', 'it has no fire time in the future');
    return first;
  }

  private waitForRunningJobs(timeoutMs: number): Promise<void> {
    const timeout = new AbortController();
    return Promise.race([this.loop.whenDrained(), this.clock.sleep(timeoutMs, timeout.signal)]).finally(() =>
      timeout.abort(),
    );
  }

  private startHistoryPruning(): void {
    const retention = this.historyRetentionMs;
    if (retention === null) return;
    const controller = new AbortController();
    this.pruneController = controller;
    const every = Math.min(HISTORY_PRUNE_EVERY_MS, Math.max(1000, Math.floor(retention / 10)));
    this.pruneTimer = (async () => {
      while (!controller.signal.aborted) {
        try {
          await this.store.pruneHistory(new Date(this.clock.now().getTime() - retention));
        } catch (error) {
          this.logger.warn(`Pruning history failed: ${errorMessage(error)}`);
        }
        await this.clock.sleep(every, controller.signal);
      }
    })();
  }

  private toScheduledJob(task: StoreTask): ScheduledJob {
    return {
      slug: task.slug,
      kind: task.kind,
      nextRunTime: task.runAt,
      payload: task.payload,
      retry: task.retry,
      result: task.result,
      failed: task.failed,
      paused: task.paused,
      state: stateOf(task, this.clock.now()),
      schedule: task.schedule,
      lockedBy: task.lockedBy,
      lockedUntil: task.lockedUntil,
      version: task.version,
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
    };
  }
}

function storableSpec(trigger: Trigger): ScheduleSpec {
  const spec = specOf(trigger);
  if (!spec) throw new UnsupportedTriggerError(trigger.constructor?.name ?? 'custom trigger');
  return spec;
}

function describe(spec: ScheduleSpec): string {
  return spec.type === 'cron' ? `"${spec.expression}" (${spec.timeZone})` : `every ${spec.everyMs} ms`;
}

function assertSlug(slug: unknown): asserts slug is string {
  if (typeof slug !== 'string' || slug.length === 0) throw new InvalidSlugError(slug);
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidArgumentError(name, 'must be a number > 0');
  return value;
}

function wholeAtLeastOne(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1))
    throw new InvalidArgumentError(name, 'must be a whole number >= 1');
  return value;
}

function retentionMs(retention: number | string): number {
  const ms = typeof retention === 'number' ? retention : parseDuration(retention);
  return positive('history.retention', ms);
}
