/**
 * The engine's instrumentation port: four hooks, each wrapping one piece of work and given what a
 * tracer needs about it. The engine knows no tracing library; `nestjs-durable-scheduler/otel`
 * implements this port with `@opentelemetry/api`, and an app may implement it for another one.
 *
 * Without an instrumentation (`SchedulerOptions.instrumentation` unset) the engine calls none of
 * this: it builds no info object and no closure, so the hot path costs what it did before.
 */
import type { EngineContext } from './engine-context.js';
import { errorMessage } from './error-text.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { mayWriteOutcome, type Execution } from './execution.js';
import type { StoreTask, TraceContext } from './job.js';
import type { Decision, RunResult } from './outcome.js';
import type {
  ClaimRequest,
  CreatedItem,
  CreateOptions,
  NewTask,
  SettleResult,
  TaskOutcome,
} from './store/job-store.js';

/** Which call of the task API schedules. */
export type ScheduleOperation = 'scheduleJob' | 'scheduleJobs' | 'ensureRecurring';

/** What a scheduling call writes, as the `schedule` hook sees it before the write. */
export interface ScheduleInfo {
  operation: ScheduleOperation;
  /**
   * The tasks it writes: one for `scheduleJob` and `ensureRecurring` (whose task is written only if
   * it is missing), many for a bulk `scheduleJobs`, which share one producer span and context.
   */
  tasks: readonly Pick<NewTask, 'slug' | 'kind' | 'runAt' | 'schedule'>[];
  /** Whether the caller asked for the trace context to be stored with the tasks. */
  propagate: boolean;
}

/** One execution, as the `execution` hook sees it when it begins. */
export interface ExecutionInfo {
  /** The task as claimed (with its stored `traceContext`, if any). */
  task: StoreTask;
  /** 1 for the first attempt of a fire, 2 for the first retry, … */
  attempt: number;
  /** When the run began, on the scheduler's clock. */
  startedAt: Date;
  /** Whether the task recurs (its own schedule, or its kind's trigger). */
  recurring: boolean;
  /** The instance running it. */
  instanceId: string;
}

/** The end of an execution, told to its scope. */
export interface ExecutionEnd {
  /**
   * How the run ended:
   * - `succeeded`: the job returned (nothing, `null` or the task);
   * - `failed`: it threw, timed out, returned something refused, or could not be run (its schedule
   *   unreadable, a fault of the engine); `error` says why;
   * - `skipped`: the misfire policy `skip` moved a late recurring task on without running it;
   * - `abandoned`: given up at shutdown, its lease released: it runs again elsewhere.
   */
  outcome: 'succeeded' | 'failed' | 'skipped' | 'abandoned';
  /**
   * What happens to the task: `deleted` (a one-time task done, or removed by its job),
   * `rescheduled` (its next fire, or the time its job moved it to), `retrying` (after the backoff),
   * `gave-up` (past `maxRetries`: a one-time task kept as failed, a recurring one on to its next
   * fire), `discarded` (nothing: the task was replaced, deleted or taken over while it ran, so this
   * run's outcome is not written); `null` for an abandoned run.
   */
  next: 'deleted' | 'rescheduled' | 'retrying' | 'gave-up' | 'discarded' | null;
  /** When the task runs next (`rescheduled`, `retrying`, and a recurring `gave-up`). */
  nextRunAt: Date | null;
  /** Why it failed: the text stored as the task's `result`. */
  error: string | null;
  /** What the job threw, when it threw (for the exception's type and stack). */
  thrown: unknown;
  /** When it ended, on the scheduler's clock. */
  finishedAt: Date;
}

/** The scope of one execution: the job runs inside it, and it is told once how the run ended. */
export interface ExecutionScope {
  /** Calls `work`, the job, inside the execution's context (what the job traces nests under it). */
  run<T>(work: () => T): T;
  /** The run ended. Called exactly once, after `run`'s work is done or given up. */
  end(end: ExecutionEnd): void;
}

/** One claim of the run loop, as the `claimBatch` hook sees it. */
export type ClaimBatchInfo = ClaimRequest;

/** One batch of outcomes the settle queue writes, as the `settleBatch` hook sees it. */
export interface SettleBatchInfo {
  /** The instance writing them. */
  owner: string;
  /** The outcomes of the batch. */
  outcomes: readonly TaskOutcome[];
  /** The tasks (as claimed) whose outcomes they are, in the same order. */
  tasks: readonly StoreTask[];
}

/**
 * Instrumentation of a scheduler: tracing hooks around scheduling, executions, claims and settles.
 * Pass one as `SchedulerOptions.instrumentation` (for OpenTelemetry:
 * `new OpenTelemetryInstrumentation()` from `nestjs-durable-scheduler/otel`).
 *
 * Every hook must call its work exactly once and return (or throw) what the work returned (or
 * threw); a hook must not throw of its own.
 */
export interface SchedulerInstrumentation {
  /**
   * Wraps a scheduling call's write. `write` takes the trace context to store with the tasks (`null`
   * for none; the engine asks for one only when `info.propagate` is true).
   */
  schedule<T>(info: ScheduleInfo, write: (traceContext: TraceContext | null) => Promise<T>): Promise<T>;
  /** An execution begins: returns the scope its run happens in. */
  execution(info: ExecutionInfo): ExecutionScope;
  /** Wraps one claim of the run loop (most find nothing: an idle loop claims every heartbeat). */
  claimBatch(info: ClaimBatchInfo, claim: () => Promise<StoreTask[]>): Promise<StoreTask[]>;
  /** Wraps one write of a batch of outcomes. */
  settleBatch(info: SettleBatchInfo, settle: () => Promise<SettleResult>): Promise<SettleResult>;
}

const HOOKS = ['schedule', 'execution', 'claimBatch', 'settleBatch'] as const;

/**
 * The scheduler's `instrumentation` option, checked: `null` when absent.
 * @throws InvalidArgumentError for anything but an object with the four hooks.
 */
export function checkedInstrumentation(instrumentation: unknown): SchedulerInstrumentation | null {
  if (instrumentation === undefined || instrumentation === null) return null;
  const hooks = instrumentation as Partial<Record<(typeof HOOKS)[number], unknown>>;
  const missing = HOOKS.filter((hook) => typeof hooks[hook] !== 'function');
  if (typeof instrumentation !== 'object' || missing.length > 0) {
    throw new InvalidArgumentError(
      'instrumentation',
      `must implement SchedulerInstrumentation (missing: ${missing.join(', ') || 'an object'})`,
    );
  }
  return instrumentation as SchedulerInstrumentation;
}

/** Claims through the store, inside the instrumentation's `claimBatch` hook when there is one. */
export function claimTasks(ctx: EngineContext, request: ClaimRequest): Promise<StoreTask[]> {
  const instrumentation = ctx.instrumentation;
  if (instrumentation === null) return ctx.store.claim(request);
  return instrumentation.claimBatch(request, () => ctx.store.claim(request));
}

/** Settles through the store, inside the instrumentation's `settleBatch` hook when there is one. */
export function settleOutcomes(
  ctx: EngineContext,
  outcomes: TaskOutcome[],
  executions: () => readonly Execution[],
): Promise<SettleResult> {
  const { instrumentation, settings, store } = ctx;
  if (instrumentation === null) return store.settle(settings.owner, outcomes);
  const info: SettleBatchInfo = {
    owner: settings.owner,
    outcomes,
    tasks: executions().map((execution) => execution.task),
  };
  return instrumentation.settleBatch(info, () => store.settle(settings.owner, outcomes));
}

/**
 * Opens the scope of an execution when the scheduler has an instrumentation (else `null`, and
 * nothing is allocated). The scope returned tells the instrumentation's scope the first end only,
 * and a failure of the instrumentation never fails the run.
 */
export function openExecutionScope(ctx: EngineContext, execution: Execution): RunScope | null {
  const instrumentation = ctx.instrumentation;
  if (instrumentation === null) return null;
  const { task, registration } = execution;
  try {
    return new RunScope(
      instrumentation.execution({
        task,
        attempt: task.retry + 1,
        startedAt: new Date(execution.startedAt),
        recurring: task.schedule !== null || registration.trigger !== null,
        instanceId: ctx.settings.owner,
      }),
    );
  } catch (error) {
    // The run goes on untraced: an executor's run never fails for its telemetry.
    ctx.logger.error(
      `[${task.kind}:${task.slug}] the instrumentation failed to open its span: ${errorMessage(error)}`,
    );
    return null;
  }
}

/** An instrumentation's execution scope, ended once. */
export class RunScope implements ExecutionScope {
  /** Whether `end` was called. */
  ended = false;

  constructor(private readonly inner: ExecutionScope) {}

  run<T>(work: () => T): T {
    return this.inner.run(work);
  }

  end(end: ExecutionEnd): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.inner.end(end);
    } catch {
      // Telemetry that fails loses its span, not the run.
    }
  }
}

/** The end of a run that ran (or could not run): its result and the decision about the task. */
export function ranEnd(
  execution: Execution,
  run: RunResult,
  decision: Decision,
  finishedAt: Date,
): ExecutionEnd {
  return {
    outcome: run.ok ? 'succeeded' : 'failed',
    ...(mayWriteOutcome(execution) ? nextOf(decision) : { next: 'discarded', nextRunAt: null }),
    error: run.ok ? null : run.error,
    thrown: run.ok ? undefined : run.thrown,
    finishedAt,
  };
}

/** The end of a fire the misfire policy skipped. */
export function skippedEnd(decision: Decision, finishedAt: Date): ExecutionEnd {
  return { outcome: 'skipped', ...nextOf(decision), error: null, thrown: undefined, finishedAt };
}

/** The end of a run given up at shutdown. */
export function abandonedEnd(finishedAt: Date): ExecutionEnd {
  return { outcome: 'abandoned', next: null, nextRunAt: null, error: null, thrown: undefined, finishedAt };
}

function nextOf(decision: Decision): Pick<ExecutionEnd, 'next' | 'nextRunAt'> {
  if (decision.type === 'delete') return { next: 'deleted', nextRunAt: null };
  if (decision.event === 'retrying') return { next: 'retrying', nextRunAt: decision.runAt };
  if (decision.event === 'dead')
    return { next: 'gave-up', nextRunAt: decision.failed ? null : decision.runAt };
  return { next: 'rescheduled', nextRunAt: decision.runAt };
}

/**
 * Creates one task (`scheduleJob`, and `ensureRecurring` when its task is missing), inside the
 * instrumentation's `schedule` hook when there is one, with the trace context the hook hands over
 * when `propagate` is on.
 *
 * A bulk `scheduleJobs` makes one `schedule` call for its whole batch the same way:
 * `instrumentation.schedule({ operation: 'scheduleJobs', tasks, propagate }, (traceContext) => write
 * the tasks, each through withTraceContext(task, propagate ? traceContext : null))`, so that the
 * batch shares one producer span and one stored context.
 */
export function createTask(
  ctx: EngineContext,
  operation: ScheduleOperation,
  task: NewTask,
  options: CreateOptions,
  propagate: boolean,
): Promise<StoreTask> {
  const instrumentation = ctx.instrumentation;
  if (instrumentation === null) return ctx.store.create(task, options);
  return instrumentation.schedule({ operation, tasks: [task], propagate }, (traceContext) =>
    ctx.store.create(withTraceContext(task, propagate ? traceContext : null), options),
  );
}

/**
 * Creates many tasks (`scheduleJobs`, `backfill`) in one store call, inside one `schedule` hook for
 * the whole batch: one producer span, one stored trace context shared by its tasks.
 */
export function createTasks(
  ctx: EngineContext,
  operation: ScheduleOperation,
  tasks: readonly NewTask[],
  write: (tasks: readonly NewTask[]) => Promise<CreatedItem[]>,
  propagate: boolean,
): Promise<CreatedItem[]> {
  const instrumentation = ctx.instrumentation;
  if (instrumentation === null) return write(tasks);
  return instrumentation.schedule({ operation, tasks, propagate }, (traceContext) =>
    write(
      propagate && traceContext !== null ? tasks.map((task) => withTraceContext(task, traceContext)) : tasks,
    ),
  );
}

/** A new task with the trace context to store, or the task as it is when there is none. */
export function withTraceContext(task: NewTask, traceContext: TraceContext | null): NewTask {
  return traceContext === null ? task : { ...task, traceContext };
}
