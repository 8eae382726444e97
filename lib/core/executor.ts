import type { Clock } from './clock.js';
import { errorMessage, type EventBus } from './event-bus.js';
import type { Execution } from './execution.js';
import type { JobContext } from './job.js';
import type { SchedulerLogger } from './logger.js';
import { countMissedFires, decideOutcome, firstFireAfter, type Decision, type RunResult } from './outcome.js';
import { assertStorablePayload } from './payload.js';
import type { JobRegistry } from './registry.js';
import type { SettleQueue } from './settle-queue.js';
import type { TaskEventBase } from './events.js';
import type { HistoryRecord, TaskOutcome } from './store/job-store.js';

/** Runs claimed tasks: builds the job's context, runs it, decides the outcome and queues its write. */
export class Executor {
  constructor(
    private readonly deps: {
      clock: Clock;
      logger: SchedulerLogger;
      events: EventBus;
      registry: JobRegistry;
      settleQueue: SettleQueue;
      instanceId: string;
      recordHistory: boolean;
    },
  ) {}

  /** Never rejects: whatever the job does ends as an outcome in the settle queue. */
  async run(execution: Execution): Promise<void> {
    const { clock, events, registry, instanceId } = this.deps;
    const { task, registration } = execution;
    const startedAt = clock.now();
    // The trigger is needed before the run only to look for missed fires; otherwise it is resolved
    // after the run, so that the first fire of a schedule does not wait for its first parse (parsing
    // a cron expression and loading its time zone costs milliseconds the first time).
    const checkMisfire =
      task.retry === 0 && (registration.misfirePolicy === 'skip' || events.has('job.misfired'));
    const early = checkMisfire ? registry.triggerOf(task, registration) : undefined;

    if (early) {
      const trigger = early;
      const missed = countMissedFires(trigger, task.runAt, startedAt);
      if (missed > 0) {
        if (events.has('job.misfired')) {
          events.emit('job.misfired', {
            ...this.base(execution),
            missedFires: missed,
            policy: registration.misfirePolicy,
          });
        }
        if (registration.misfirePolicy === 'skip') {
          const next = firstFireAfter(trigger, task.runAt, startedAt);
          this.queue(
            execution,
            next === null
              ? { type: 'delete', event: 'finished' }
              : {
                  type: 'reschedule',
                  runAt: next,
                  retry: 0,
                  result: task.result,
                  failed: false,
                  event: 'succeeded',
                },
            null,
          );
          return;
        }
      }
    }

    const ctx = this.context(execution);
    if (events.has('job.started')) events.emit('job.started', { ...this.base(execution), startedAt });
    let run: RunResult;
    try {
      const returned = await registration.job.execute({ ...task }, ctx);
      // Checked here, not at the write: one unstorable payload must fail its own run, not a whole batch.
      if (returned) assertStorablePayload(returned.payload);
      run = { ok: true, returned };
    } catch (error) {
      run = { ok: false, error: errorMessage(error) };
    }
    execution.finished = true;
    if (execution.abandoned) return;

    const finishedAt = clock.now();
    const trigger = early !== undefined ? early : registry.triggerOf(task, registration);
    const decision = decideOutcome({
      task,
      run,
      trigger,
      backoff: registration.backoff,
      maxRetries: registration.maxRetries,
      misfirePolicy: registration.misfirePolicy,
      now: finishedAt,
    });
    this.report(execution, run, decision, startedAt, finishedAt);
    const history: HistoryRecord | null = this.deps.recordHistory
      ? {
          slug: task.slug,
          kind: task.kind,
          scheduledAt: task.runAt,
          startedAt,
          finishedAt,
          outcome: execution.leaseLost ? 'lease-lost' : run.ok ? 'succeeded' : 'failed',
          error: run.ok ? null : run.error,
          attempt: task.retry + 1,
          instanceId,
        }
      : null;
    this.queue(execution, decision, history);
  }

  private queue(execution: Execution, decision: Decision, history: HistoryRecord | null): void {
    const { slug, version } = execution.task;
    const outcome: TaskOutcome =
      decision.type === 'delete'
        ? { type: 'delete', slug, version }
        : {
            type: 'reschedule',
            slug,
            version,
            runAt: decision.runAt,
            retry: decision.retry,
            result: decision.result,
            failed: decision.failed,
            ...(decision.payload !== undefined ? { payload: decision.payload } : {}),
          };
    execution.finished = true;
    this.deps.settleQueue.enqueue(execution, outcome, history);
  }

  private report(
    execution: Execution,
    run: RunResult,
    decision: Decision,
    startedAt: Date,
    finishedAt: Date,
  ): void {
    const { events, logger } = this.deps;
    const { slug, kind } = execution.task;
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    if (run.ok) {
      logger.debug?.(`[${kind}:${slug}] succeeded in ${durationMs} ms`);
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
    if (decision.type === 'reschedule' && decision.event === 'retrying') {
      logger.warn(
        `[${kind}:${slug}] failed (attempt ${execution.task.retry + 1}), retry at ${decision.runAt.toISOString()}: ${run.error}`,
      );
      if (events.has('job.retrying')) {
        events.emit('job.retrying', { ...this.base(execution), error: run.error, retryAt: decision.runAt });
      }
    } else {
      const recurring = decision.type === 'reschedule' && !decision.failed;
      logger.error(
        `[${kind}:${slug}] gave up after ${execution.task.retry + 1} attempt(s)${recurring ? ', moving on to its next fire' : ', kept as failed'}: ${run.error}`,
      );
      if (events.has('job.dead'))
        events.emit('job.dead', { ...this.base(execution), error: run.error, recurring });
    }
  }

  private context(execution: Execution): JobContext {
    return new RunContext(execution, this.deps.logger, this.deps.instanceId);
  }

  private base(execution: Execution): TaskEventBase {
    const { task } = execution;
    return {
      slug: task.slug,
      kind: task.kind,
      scheduledAt: task.runAt,
      attempt: task.retry + 1,
      instanceId: this.deps.instanceId,
    };
  }
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
    const prefix = `[${this.execution.task.kind}:${this.execution.task.slug}] `;
    this.prefixedLogger = {
      log: (message, ...meta) => parent.log(prefix + message, ...meta),
      warn: (message, ...meta) => parent.warn(prefix + message, ...meta),
      error: (message, ...meta) => parent.error(prefix + message, ...meta),
      debug: (message, ...meta) => parent.debug?.(prefix + message, ...meta),
    };
    return this.prefixedLogger;
  }
}
