import type { Backoff } from './backoff.types.js';
import { ExponentialBackoff } from './backoff.js';
import { isStorableDate } from './arguments.js';
import type { EngineContext } from './engine-context.js';
import { errorMessage } from './error-text.js';
import { messages } from './errors/messages.js';
import type { AbortReason, Execution } from './execution.js';
import { mayWriteOutcome } from './execution.js';
import type { TaskEventBase } from './events.js';
import { abandonedEnd, openExecutionScope, ranEnd, skippedEnd } from './instrumentation.js';
import type { JobContext, StoreTask } from './job.js';
import type { SchedulerLogger } from './logger.js';
import { decideMisfire, looksForMisfires, misfirePolicyName } from './misfire.js';
import { decideOutcome, type Decision, type RunResult } from './outcome.js';
import type { JobRegistry, Registration } from './registry.js';
import { checkReturned } from './returned-task.js';
import type { SettleQueue } from './settle-queue.js';
import type { Trigger } from './schedule/trigger.js';
import type { HistoryRecord, TaskOutcome } from './store/job-store.js';

/** The backoff used when a job's own backoff throws or returns something that is not a delay. */
const FALLBACK_BACKOFF = new ExponentialBackoff();

/** A run the executor stopped waiting for: the job ignored its aborted signal past the grace. */
const DETACHED = Symbol('detached');

/**
 * Runs claimed tasks: reads the task's schedule, applies the misfire policy, runs the job under its
 * timeout, checks what it returned, decides the outcome and queues its write.
 *
 * `run` never rejects and never throws: whatever a job does (throw anything, hang, return odd
 * values) and whatever a stored schedule holds ends as an outcome in the settle queue (or, for a run
 * that no longer owns its task, as a discarded one), so that one hostile value cannot end the process.
 */
export class Executor {
  private readonly backoffs = new WeakMap<Registration, Backoff>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly registry: JobRegistry,
    private readonly settleQueue: SettleQueue,
    /** Told when a job is detached (its slot is free while it may still run). */
    private readonly onDetached: (execution: Execution, stillRunning: Promise<unknown>) => void,
  ) {}

  /** Never rejects. */
  run(execution: Execution): Promise<void> {
    const scope = openExecutionScope(this.ctx, execution);
    if (scope !== null) execution.scope = scope;
    // Promise handlers rather than async wrappers: a run has one async frame (`execute`), as the
    // engine's allocations per run bound its throughput (bench W5).
    const guarded = this.execute(execution).catch((error: unknown) => this.engineFailed(execution, error));
    if (scope === null) return guarded;
    return guarded.finally(() => {
      // A run that ended without an outcome of its own: given up at shutdown.
      if (!scope.ended) scope.end(abandonedEnd(this.ctx.clock.now()));
    });
  }

  /** A defect of the engine itself while running a task: the run still ends in the queue, as a failure to retry. */
  private engineFailed(execution: Execution, error: unknown): void {
    const reason = errorMessage(error);
    this.ctx.logger.error(`${prefix(execution.task)}the scheduler failed while running it: ${reason}`);
    if (execution.state !== 'running') return;
    const run: RunResult = { ok: false, error: messages.runFailures.internal(reason), thrown: error };
    const now = this.ctx.clock.now();
    const decision = this.decide(execution, run, null, now);
    execution.scope?.end(ranEnd(execution, run, decision, now));
    this.finish(execution, decision, null);
  }

  /**
   * Aborts a run's signal with `reason`. Unless it is a shutdown (which releases the lease at once),
   * the job gets `abortGraceMs` to return; one that ignores its signal is then detached: its slot
   * is freed and whatever it returns later is ignored.
   */
  abort(execution: Execution, reason: AbortReason): void {
    if (execution.state !== 'running' || execution.abortReason !== null) return;
    execution.abortReason = reason;
    execution.controller.abort(reason);
    if (reason === 'shutdown') {
      execution.detach?.();
      return;
    }
    const grace = new AbortController();
    execution.graceTimer = grace;
    void this.ctx.clock.sleep(this.ctx.settings.abortGraceMs, grace.signal).then(() => {
      if (!grace.signal.aborted && execution.state === 'running') execution.detach?.();
    });
  }

  private async execute(execution: Execution): Promise<void> {
    const { clock, events } = this.ctx;
    const { task, registration } = execution;
    const startedAt = clock.now();

    let trigger: Trigger | null;
    try {
      trigger = this.registry.triggerOf(task, registration);
    } catch (error) {
      // Not runnable here: running the job and then failing to reschedule it would repeat its side
      // effects on every instance that claims it. Kept as failed, visible, until it is replaced.
      return this.unreadableSchedule(execution, error, startedAt);
    }

    if (
      trigger &&
      task.retry === 0 &&
      (looksForMisfires(registration.misfirePolicy) || events.has('job.misfired'))
    ) {
      let misfire: ReturnType<typeof decideMisfire>;
      try {
        misfire = decideMisfire(trigger, task.runAt, startedAt, registration.misfirePolicy);
      } catch (error) {
        return this.unreadableSchedule(execution, error, startedAt);
      }
      if (misfire.missedFires > 0 && events.has('job.misfired')) {
        events.emit('job.misfired', {
          ...this.base(execution),
          missedFires: misfire.missedFires,
          policy: misfirePolicyName(registration.misfirePolicy),
        });
      }
      if (misfire.action === 'skip') {
        const decision: Decision =
          misfire.next === null
            ? { type: 'delete', event: 'finished' }
            : {
                type: 'reschedule',
                runAt: misfire.next,
                retry: 0,
                result: task.result,
                failed: false,
                event: 'succeeded',
              };
        const skipped = this.storable(execution, decision);
        execution.scope?.end(skippedEnd(skipped, startedAt));
        this.finish(execution, skipped, null);
        return;
      }
    }

    const run = await this.runJob(execution, startedAt);
    if (execution.abandoned) return;
    const finishedAt = clock.now();
    const decision = this.decide(execution, run, trigger, finishedAt, startedAt);
    this.report(execution, run, decision, startedAt, finishedAt);
    this.finish(execution, decision, this.historyOf(execution, run, startedAt, finishedAt));
  }

  /**
   * Runs the job and waits for it, its timeout, or (once its signal is aborted) the grace. Whatever
   * it returns is checked here, not at the write: one unstorable value fails its own run only.
   */
  private async runJob(execution: Execution, startedAt: Date): Promise<RunResult> {
    const { task, registration } = execution;
    const { events } = this.ctx;
    const context = new RunContext(execution, this.ctx.logger, this.ctx.settings.owner);
    if (events.has('job.started')) events.emit('job.started', { ...this.base(execution), startedAt });

    const timeoutMs = registration.timeoutMs;
    const timer = timeoutMs === undefined ? null : new AbortController();
    if (timer) {
      void this.ctx.clock.sleep(timeoutMs as number, timer.signal).then(() => {
        if (!timer.signal.aborted) this.abort(execution, 'timeout');
      });
    }

    // A synchronous throw, a rejection with anything, a hostile return value: each becomes a RunResult.
    // Only the job runs in the instrumentation's scope: the engine's own work for this run (the
    // outcome write, batched with other runs') stays outside it.
    const invoke = (): Promise<unknown> => {
      try {
        return Promise.resolve(registration.job.execute({ ...task }, context));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    const job = execution.scope ? execution.scope.run(invoke) : invoke();
    // The run's result, or DETACHED once `detach` is called: one promise per run (the engine's
    // allocations per run are what bounds its throughput, bench W5).
    const first = await new Promise<RunResult | typeof DETACHED>((resolve) => {
      execution.detach = () => resolve(DETACHED);
      job.then(
        (value) => resolve(checkReturned(value, task)),
        (error: unknown) => resolve({ ok: false, error: errorMessage(error), thrown: error }),
      );
    });
    timer?.abort();
    execution.graceTimer?.abort();
    execution.detach = null;

    if (first === DETACHED) {
      execution.detached = true;
      this.onDetached(execution, job);
    }
    if (execution.abortReason === 'timeout') {
      return { ok: false, error: messages.runFailures.timedOut(timeoutMs as number) };
    }
    if (first === DETACHED) {
      return { ok: false, error: `aborted (${String(execution.abortReason)}) and did not return in time` };
    }
    return first;
  }

  /** The outcome rules, guarded: a trigger or backoff that throws or answers nonsense becomes a stated failure. */
  private decide(
    execution: Execution,
    run: RunResult,
    trigger: Trigger | null,
    now: Date,
    startedAt?: Date,
  ): Decision {
    const { task, registration } = execution;
    let decision: Decision;
    try {
      decision = decideOutcome({
        task,
        run,
        trigger,
        backoff: this.backoffOf(registration, task),
        maxRetries: registration.maxRetries,
        misfirePolicy: registration.misfirePolicy,
        overlap: registration.overlap,
        startedAt,
        now,
      });
    } catch (error) {
      return unreadable(task, errorMessage(error));
    }
    return this.storable(execution, decision);
  }

  /** A decision whose run time no store could hold (a trigger's odd answer) fails the task instead. */
  private storable(execution: Execution, decision: Decision): Decision {
    if (decision.type === 'delete' || isStorableDate(decision.runAt)) return decision;
    const runAt: unknown = decision.runAt;
    const at = runAt instanceof Date ? `${runAt.getTime()} ms` : typeof runAt;
    return unreadable(execution.task, `the next run time (${at}) is not a time every store can hold`);
  }

  private unreadableSchedule(execution: Execution, error: unknown, at: Date): void {
    const reason = messages.runFailures.scheduleUnreadable(errorMessage(error));
    const decision = unreadable(execution.task, errorMessage(error));
    this.report(execution, { ok: false, error: reason }, decision, at, at);
    this.finish(execution, decision, null);
  }

  /** The job's backoff, guarded: a throw or a delay that is not a finite number >= 0 falls back to the default. */
  private backoffOf(registration: Registration, task: StoreTask): Backoff {
    let guarded = this.backoffs.get(registration);
    if (guarded) return guarded;
    const own = registration.backoff;
    const logger = this.ctx.logger;
    guarded = {
      delayMs(attempt: number): number {
        let problem: string;
        try {
          const delay = own.delayMs(attempt);
          if (typeof delay === 'number' && Number.isFinite(delay) && delay >= 0) return delay;
          problem = `returned ${String(delay)}`;
        } catch (error) {
          problem = `threw: ${errorMessage(error)}`;
        }
        logger.warn(
          `[${task.kind}] the backoff of this kind ${problem}; using the default backoff (10 s doubling to 10 min)`,
        );
        return FALLBACK_BACKOFF.delayMs(attempt);
      },
    };
    this.backoffs.set(registration, guarded);
    return guarded;
  }

  private finish(execution: Execution, decision: Decision, history: HistoryRecord | null): void {
    execution.state = 'finished';
    if (!mayWriteOutcome(execution)) {
      this.ctx.logger.warn(`${prefix(execution.task)}outcome discarded: ${whyVoid(execution)}`);
      this.settleQueue.enqueue(execution, null, history && { ...history, outcome: 'lease-lost' });
      return;
    }
    const { slug, version } = execution.task;
    if (decision.type === 'delete') {
      this.settleQueue.enqueue(execution, { type: 'delete', slug, version }, history);
      return;
    }
    // Field by field: an object rest and spread per run cost more than the rest of this method.
    const outcome: TaskOutcome = {
      type: 'reschedule',
      slug,
      version,
      runAt: decision.runAt,
      retry: decision.retry,
      result: decision.result,
      failed: decision.failed,
    };
    if (decision.payload !== undefined) outcome.payload = decision.payload;
    this.settleQueue.enqueue(execution, outcome, history);
  }

  private historyOf(
    execution: Execution,
    run: RunResult,
    startedAt: Date,
    finishedAt: Date,
  ): HistoryRecord | null {
    if (!this.ctx.settings.recordHistory) return null;
    const { task } = execution;
    return {
      slug: task.slug,
      kind: task.kind,
      scheduledAt: task.runAt,
      startedAt,
      finishedAt,
      outcome: run.ok ? 'succeeded' : 'failed',
      error: run.ok ? null : run.error,
      attempt: task.retry + 1,
      instanceId: this.ctx.settings.owner,
    };
  }

  private report(
    execution: Execution,
    run: RunResult,
    decision: Decision,
    startedAt: Date,
    finishedAt: Date,
  ): void {
    const { events, logger } = this.ctx;
    execution.scope?.end(ranEnd(execution, run, decision, finishedAt));
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    if (run.ok) {
      // The line is built only for a logger that writes debug lines: this is every run's path.
      logger.debug?.(`${prefix(execution.task)}succeeded in ${durationMs} ms`);
      if (events.has('job.succeeded')) {
        events.emit('job.succeeded', { ...this.base(execution), startedAt, finishedAt, durationMs });
      }
      return;
    }
    if (events.has('job.failed')) {
      events.emit('job.failed', {
        ...this.base(execution),
        startedAt,
        finishedAt,
        durationMs,
        error: run.error,
      });
    }
    const p = prefix(execution.task);
    if (decision.type === 'reschedule' && decision.event === 'retrying') {
      logger.warn(
        `${p}failed (attempt ${execution.task.retry + 1}), retry at ${decision.runAt.toISOString()}: ${run.error}`,
      );
      if (events.has('job.retrying')) {
        events.emit('job.retrying', { ...this.base(execution), error: run.error, retryAt: decision.runAt });
      }
      return;
    }
    const recurring = decision.type === 'reschedule' && !decision.failed;
    logger.error(
      `${p}gave up after ${execution.task.retry + 1} attempt(s)${recurring ? ', moving on to its next fire' : ', kept as failed'}: ${run.error}`,
    );
    if (events.has('job.dead'))
      events.emit('job.dead', { ...this.base(execution), error: run.error, recurring });
  }

  private base(execution: Execution): TaskEventBase {
    const { task } = execution;
    return {
      slug: task.slug,
      kind: task.kind,
      scheduledAt: task.runAt,
      attempt: task.retry + 1,
      instanceId: this.ctx.settings.owner,
    };
  }
}

/** A task whose schedule cannot be read or computed: kept as failed (never claimed) with the reason. */
function unreadable(task: StoreTask, reason: string): Decision {
  return {
    type: 'reschedule',
    runAt: isStorableDate(task.runAt) ? task.runAt : new Date(0),
    retry: task.retry,
    result: messages.runFailures.scheduleUnreadable(reason),
    failed: true,
    event: 'dead',
  };
}

function prefix(task: Pick<StoreTask, 'kind' | 'slug'>): string {
  return `[${task.kind}:${task.slug}] `;
}

function whyVoid(execution: Execution): string {
  if (execution.superseded) {
    return execution.abortReason === 'deleted'
      ? 'the task was deleted while this run was in flight'
      : 'the task was replaced while this run was in flight; the new version runs on its own';
  }
  if (execution.leaseLost) return 'this instance lost the lease (taken over, replaced or deleted elsewhere)';
  return 'the run was given up at shutdown';
}

/**
 * A job's context. A class with getters rather than an object literal: the hot path of a no-op job
 * should not pay for what the job never reads. `signal` is read from the execution's controller
 * only on first use (Node creates an `AbortSignal` lazily, and creating one costs more than running
 * a no-op job), and the prefixed logger is built on first use too. An abort before the first read
 * is not lost: the controller keeps its state and the signal comes back already aborted.
 */
class RunContext implements JobContext {
  readonly attempt: number;
  readonly scheduledAt: Date;
  private prefixedLogger: SchedulerLogger | undefined;

  constructor(
    private readonly execution: Execution,
    private readonly parent: SchedulerLogger,
    readonly instanceId: string,
  ) {
    this.attempt = execution.task.retry + 1;
    this.scheduledAt = execution.task.runAt;
  }

  get signal(): AbortSignal {
    return this.execution.controller.signal;
  }

  get logger(): SchedulerLogger {
    if (this.prefixedLogger) return this.prefixedLogger;
    const parent = this.parent;
    const p = prefix(this.execution.task);
    this.prefixedLogger = {
      log: (message, ...meta) => parent.log(p + message, ...meta),
      warn: (message, ...meta) => parent.warn(p + message, ...meta),
      error: (message, ...meta) => parent.error(p + message, ...meta),
      debug: (message, ...meta) => parent.debug?.(p + message, ...meta),
    };
    return this.prefixedLogger;
  }
}
