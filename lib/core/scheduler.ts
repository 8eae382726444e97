import { boundedStore } from './bounded-store.js';
import { SystemClock } from './clock.js';
import { EngineContext, safeLogger } from './engine-context.js';
import { EventBus } from './event-bus.js';
import { errorMessage } from './error-text.js';
import { messages } from './errors/messages.js';
import type { SchedulerEventListener, SchedulerEventName } from './events.js';
import type { Execution } from './execution.js';
import { Executor } from './executor.js';
import { HistoryPruner } from './history-pruner.js';
import { checkedInstrumentation } from './instrumentation.js';
import { InstancePublisher, publishEveryOf } from './instance-publisher.js';
import type { Job } from './job.js';
import { LeaseKeeper } from './lease-keeper.js';
import { consoleLogger } from './logger.js';
import { JobRegistry } from './registry.js';
import { RunLoop } from './run-loop.js';
import type {
  RegisterJobOptions,
  Scheduler,
  SchedulerHealth,
  SchedulerOptions,
  StopOptions,
} from './scheduler.types.js';
import { historyRetentionMs, resolveSettings } from './settings.js';
import { SettleQueue } from './settle-queue.js';
import type { InstanceRecord, JobStore } from './store/job-store.js';
import { TaskApi } from './task-api.js';
import { Waker } from './waker.js';
import { warmUpSchedules } from './schedule/warm-up.js';

/** Time given to the last store calls of a stop (the loop's claim, releases, queued outcomes) after its `timeoutMs`. */
const STOP_WRITE_MARGIN_MS = 1_000;

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
export class StdScheduler extends TaskApi implements Scheduler {
  /** The id this instance writes as lease owner. */
  readonly instanceId: string;
  private readonly events: EventBus;
  private readonly waker: Waker;
  private readonly settleQueue: SettleQueue;
  private readonly loop: RunLoop;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly pruner: HistoryPruner | null;
  private readonly instancePublisher: InstancePublisher;
  /** Jobs that ignored their aborted signal past the grace and may still be running. */
  private readonly detachedRuns = new Set<Execution>();
  private initialized: Promise<void> | null = null;
  private unsubscribeWake: (() => void) | null = null;
  private stopping: Promise<void> | null = null;

  /** @throws InvalidArgumentError for an option out of range. */
  constructor(rawStore: JobStore, options: SchedulerOptions = {}) {
    const settings = resolveSettings(options, rawStore?.onWake !== undefined);
    const retention = historyRetentionMs(options);
    const logger = safeLogger(options.logger ?? consoleLogger);
    const events = new EventBus(logger);
    const ctx = new EngineContext(
      settings,
      options.clock ?? new SystemClock(),
      logger,
      events,
      boundedStore(rawStore, settings.storeTimeoutMs),
      checkedInstrumentation(options.instrumentation),
    );
    const registry = new JobRegistry();
    const waker = new Waker(ctx.clock);
    super(ctx, registry, {
      ready: () => this.ready(),
      wakeFor: (runAt) => waker.wakeFor(runAt),
      wake: () => waker.wake(),
      supersedeLocal: (slug, reason, incarnation) => this.loop.supersedeLocal(slug, reason, incarnation),
    });
    this.instanceId = settings.owner;
    this.events = events;
    this.waker = waker;
    this.pruner = retention === null ? null : new HistoryPruner(ctx, retention);
    this.settleQueue = new SettleQueue(ctx, {
      maxBatch: Math.max(settings.batchSize, 100),
      onSettled: (execution) => this.loop.settled(execution),
      afterBatch: () => this.waker.wake(),
    });
    const executor = new Executor(ctx, registry, this.settleQueue, (execution, stillRunning) =>
      this.detached(execution, stillRunning),
    );
    this.loop = new RunLoop(ctx, { registry, executor, settleQueue: this.settleQueue, waker });
    this.instancePublisher = new InstancePublisher({
      store: ctx.store,
      clock: ctx.clock,
      logger: ctx.logger,
      everyMs: publishEveryOf(options.instanceRegistry),
      health: () => this.health(),
    });
    this.leaseKeeper = new LeaseKeeper(ctx, {
      held: () => this.loop.executions,
      abort: (execution) => executor.abort(execution, 'lease-lost'),
    });
    warmUpSchedules();
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

  /**
   * Prepares the store and starts the loop. Resolves once the loop runs.
   * @throws StoreClosedError when the store was closed.
   */
  async start(): Promise<void> {
    if (this.stopping) await this.stopping;
    if (this.loop.isRunning) return;
    await this.ready();
    if (this.loop.isRunning) return;
    const store = this.ctx.store;
    if (store.onWake) this.unsubscribeWake = store.onWake((runAt) => this.waker.wakeFor(runAt));
    this.loop.start();
    this.leaseKeeper.start();
    this.instancePublisher.start();
    this.pruner?.start();
    this.ctx.logger.log(
      `Scheduler ${this.instanceId} started (kinds: ${this.registry.kinds().join(', ') || 'none'})`,
    );
  }

  /**
   * Graceful stop: stops claiming, waits up to `timeoutMs` for running jobs, then aborts their
   * signals and releases their leases so that another instance can take them at once. Returns
   * within `timeoutMs` plus about a second whatever the store does: what it could not write by
   * then is logged, and those leases expire instead. Concurrent calls share one stop.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.halt(options).finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  /** The loop's health: running, last poll and store error, what runs and what waits to be written. */
  health(): SchedulerHealth {
    const now = this.ctx.clock.now().getTime();
    const lastPollAt = this.loop.lastPollAt;
    return {
      instanceId: this.instanceId,
      running: this.loop.isRunning,
      lastPollAt,
      lastPollAgeMs: lastPollAt ? now - lastPollAt.getTime() : null,
      lastStoreError: this.loop.lastStoreError,
      consecutiveStoreErrors: this.loop.consecutiveStoreErrors,
      inFlight: this.loop.executions.size,
      kinds: [...this.registry.kinds()],
      oldestRunningMs: this.loop.oldestRunningMs(now),
      detachedRuns: this.detachedRuns.size,
      pendingOutcomes: this.settleQueue.size,
      oldestPendingOutcomeMs: this.settleQueue.oldestAgeMs(now),
      lastOutcomeWriteError: this.settleQueue.lastError,
      unwritableOutcomes: this.settleQueue.unwritable,
    };
  }

  /**
   * The instances sharing this store that published their record within `maxAgeMs` (default: 30 s,
   * or three publishing beats of this instance if longer). @see SchedulerOptions.instanceRegistry
   */
  async listInstances(options: { maxAgeMs?: number } = {}): Promise<InstanceRecord[]> {
    await this.ready();
    return this.ctx.store.listInstances(options?.maxAgeMs ?? this.instancePublisher.liveWindowMs);
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

  private async halt(options: StopOptions): Promise<void> {
    if (!this.loop.isRunning) return;
    const { clock, logger, settings, store } = this.ctx;
    const timeoutMs = options?.timeoutMs ?? settings.stopTimeoutMs;
    const deadline = clock.now().getTime() + Math.max(0, Number.isFinite(timeoutMs) ? timeoutMs : 0);
    const left = (): number => Math.max(0, deadline - clock.now().getTime());
    this.unsubscribeWake?.();
    this.unsubscribeWake = null;
    // The loop's store call under way gets a moment past the deadline: claimed tasks come back
    // and are released rather than left leased by an instance that stopped.
    await this.within(this.loop.halt(), Math.max(left(), STOP_WRITE_MARGIN_MS / 2));
    await this.within(this.loop.whenDrained(), left());
    const abandoned = this.loop.abandonRunning();
    const writeBudget = Math.max(left(), STOP_WRITE_MARGIN_MS);
    if (abandoned.length > 0) {
      logger.warn(`Stop timed out: aborted ${abandoned.length} running job(s) and released their leases`);
      try {
        await this.within(store.release(settings.owner, abandoned), writeBudget, 'release');
      } catch (error) {
        logger.error(`Releasing leases failed (they will expire instead): ${errorMessage(error)}`);
      }
    }
    await this.settleQueue.drain(Math.max(left(), STOP_WRITE_MARGIN_MS / 2));
    await this.leaseKeeper.stop(STOP_WRITE_MARGIN_MS / 4);
    await this.within(this.instancePublisher.stop(), STOP_WRITE_MARGIN_MS / 4);
    await this.pruner?.stop(STOP_WRITE_MARGIN_MS / 4);
    // The next start prepares the store again (and finds out if it was closed meanwhile).
    this.initialized = null;
    logger.log(`Scheduler ${this.instanceId} stopped`);
  }

  /** `promise`, or nothing once `ms` have passed on the clock (then `what`, if given, is thrown as timed out). */
  private async within<T>(promise: Promise<T>, ms: number, what?: string): Promise<void> {
    const timer = new AbortController();
    let timedOut = false;
    promise.catch(() => undefined);
    await Promise.race([
      promise,
      this.ctx.clock.sleep(ms, timer.signal).then(() => {
        timedOut = !timer.signal.aborted;
      }),
    ]);
    timer.abort();
    if (timedOut && what) throw new Error(`${what} did not finish in ${ms} ms`);
  }

  private detached(execution: Execution, stillRunning: Promise<unknown>): void {
    const { kind, slug } = execution.task;
    // A shutdown gives no grace (stop()'s own timeout was the wait), so it has a message of its own.
    const why =
      execution.abortReason === 'shutdown'
        ? messages.detachedRuns.atShutdown()
        : messages.detachedRuns.ignoredSignal(this.ctx.settings.abortGraceMs, String(execution.abortReason));
    this.ctx.logger.warn(`[${kind}:${slug}] ${why}`);
    this.detachedRuns.add(execution);
    const forget = (): void => {
      this.detachedRuns.delete(execution);
    };
    stillRunning.then(forget, forget);
  }

  private ready(): Promise<void> {
    this.initialized ??= this.ctx.store.init().catch((error: unknown) => {
      this.initialized = null;
      throw error;
    });
    return this.initialized;
  }
}
