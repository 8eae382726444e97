import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

import { errorMessage } from '../core/error-text.js';
import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import type {
  ClaimBatchInfo,
  ExecutionEnd,
  ExecutionInfo,
  ExecutionScope,
  ScheduleInfo,
  SchedulerInstrumentation,
  SettleBatchInfo,
} from '../core/instrumentation.js';
import type { StoreTask, TraceContext } from '../core/job.js';
import type { SettleResult } from '../core/store/job-store.js';
import {
  INSTRUMENTATION_NAME,
  MESSAGING_SYSTEM,
  SchedulerAttributes as A,
  SchedulerSpanNames,
} from './attributes.js';
import { spanContextOf, traceContextOf } from './trace-context.js';

/** Options of {@link OpenTelemetryInstrumentation}. */
export interface OpenTelemetryInstrumentationOptions {
  /** Where the tracer comes from. Default: the global provider the app's SDK registers. */
  tracerProvider?: TracerProvider;
  /**
   * A run of a one-time task that starts within this many ms of the task's creation is a child of
   * the scheduling span (one trace, as for a queue job); any later run, and every run of a
   * recurring task, starts a trace of its own that links to it. `0`: always link. Default 60000.
   */
  parentWithinMs?: number;
  /**
   * Record each claim that got tasks and each batch of outcomes written as an internal span
   * (`claim`, `settle`), linked to and from the executions. Default `true`.
   */
  batchSpans?: boolean;
}

/** Default of {@link OpenTelemetryInstrumentationOptions.parentWithinMs}. */
export const DEFAULT_PARENT_WITHIN_MS = 60_000;

const COMMON: Attributes = {
  [A.MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
  [A.MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM,
};

/**
 * The scheduler's tracing with OpenTelemetry, through `@opentelemetry/api` only (an optional peer):
 * spans are recorded once the app registers an SDK, and cost next to nothing before.
 *
 * - every scheduling call (`scheduleJob`, `ensureRecurring` when it creates its task) is a
 *   PRODUCER span `<operation> <kind>`, a child of the caller's active span;
 * - every execution is a CONSUMER span `process <kind>`, in whose context the job runs;
 * - claims that got tasks and batches of outcomes are INTERNAL spans `claim` and `settle`.
 *
 * With `propagateTraceContext` on the scheduler (or the call), the scheduling span's context is
 * stored with the task, and the execution, on whatever instance, is its child or links to it (see
 * `parentWithinMs`). Span names and attributes: docs/opentelemetry.md.
 *
 * ```ts
 * const scheduler = new StdScheduler(store, {
 *   instrumentation: new OpenTelemetryInstrumentation(),
 *   propagateTraceContext: true,
 * });
 * ```
 */
export class OpenTelemetryInstrumentation implements SchedulerInstrumentation {
  private readonly tracer: Tracer;
  private readonly parentWithinMs: number;
  private readonly batchSpans: boolean;
  /** The claim span that handed out each task (as the store returned it): executions link to it. */
  private readonly claims = new WeakMap<StoreTask, SpanContext>();
  /** The execution span of each claimed task: the settle span links to it. */
  private readonly executions = new WeakMap<StoreTask, SpanContext>();

  /** @throws InvalidArgumentError for an option out of range. */
  constructor(options: OpenTelemetryInstrumentationOptions = {}) {
    const parentWithinMs = options.parentWithinMs ?? DEFAULT_PARENT_WITHIN_MS;
    if (!(typeof parentWithinMs === 'number' && parentWithinMs >= 0)) {
      throw new InvalidArgumentError('parentWithinMs', 'must be a number of milliseconds >= 0');
    }
    if (options.batchSpans !== undefined && typeof options.batchSpans !== 'boolean') {
      throw new InvalidArgumentError('batchSpans', 'must be true or false');
    }
    this.parentWithinMs = parentWithinMs;
    this.batchSpans = options.batchSpans ?? true;
    this.tracer = (options.tracerProvider ?? trace).getTracer(INSTRUMENTATION_NAME);
  }

  schedule<T>(info: ScheduleInfo, write: (traceContext: TraceContext | null) => Promise<T>): Promise<T> {
    const kinds = new Set(info.tasks.map((task) => task.kind));
    const kind = kinds.size === 1 ? [...kinds][0]! : null;
    const attributes: Attributes = {
      ...COMMON,
      [A.MESSAGING_OPERATION_TYPE]: 'send',
      [A.MESSAGING_OPERATION_NAME]: info.operation,
    };
    if (kind !== null) attributes[A.MESSAGING_DESTINATION_NAME] = kind;
    if (info.tasks.length === 1) {
      const task = info.tasks[0]!;
      attributes[A.MESSAGING_MESSAGE_ID] = task.slug;
      attributes[A.TASK_RUN_AT] = task.runAt.toISOString();
      attributes[A.TASK_RECURRING] = task.schedule !== null;
    } else {
      attributes[A.MESSAGING_BATCH_MESSAGE_COUNT] = info.tasks.length;
    }
    const name = kind === null ? info.operation : `${info.operation} ${kind}`;
    return this.tracer.startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      try {
        const traceContext = info.propagate ? traceContextOf(span.spanContext()) : null;
        span.setAttribute(A.TRACE_CONTEXT_STORED, traceContext !== null);
        return await write(traceContext);
      } catch (error) {
        failed(span, errorMessage(error), error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  execution(info: ExecutionInfo): ExecutionScope {
    const { task } = info;
    const producer = spanContextOf(task.traceContext);
    const relation = producer === null ? 'none' : this.isChild(info) ? 'parent' : 'link';
    const parent = relation === 'parent' ? trace.setSpanContext(ROOT_CONTEXT, producer!) : ROOT_CONTEXT;
    const links: Link[] = [];
    if (relation === 'link') links.push(linkTo(producer!, 'producer'));
    const claim = this.claims.get(task);
    if (claim) links.push(linkTo(claim, 'claim'));
    const span = this.tracer.startSpan(
      `process ${task.kind}`,
      {
        kind: SpanKind.CONSUMER,
        links,
        attributes: {
          ...COMMON,
          [A.MESSAGING_OPERATION_TYPE]: 'process',
          [A.MESSAGING_OPERATION_NAME]: 'process',
          [A.MESSAGING_DESTINATION_NAME]: task.kind,
          [A.MESSAGING_MESSAGE_ID]: task.slug,
          [A.MESSAGING_CLIENT_ID]: info.instanceId,
          [A.TASK_INCARNATION]: task.incarnation,
          [A.TASK_RECURRING]: info.recurring,
          [A.RUN_ATTEMPT]: info.attempt,
          [A.RUN_SCHEDULED_AT]: task.runAt.toISOString(),
          [A.RUN_LATENESS_MS]: Math.max(0, info.startedAt.getTime() - task.runAt.getTime()),
          [A.RUN_PRODUCER]: relation,
        },
      },
      parent,
    );
    this.executions.set(task, span.spanContext());
    return new ExecutionSpan(span, trace.setSpan(parent, span));
  }

  async claimBatch(info: ClaimBatchInfo, claim: () => Promise<StoreTask[]>): Promise<StoreTask[]> {
    if (!this.batchSpans) return context.with(ROOT_CONTEXT, claim);
    // Recorded after the fact, and only when it got tasks (or failed): an idle loop claims every
    // heartbeat, and a trace per empty claim would bury the ones that matter.
    const startTime = Date.now();
    let tasks: StoreTask[];
    try {
      tasks = await context.with(ROOT_CONTEXT, claim);
    } catch (error) {
      const span = this.claimSpan(info, startTime, 0);
      failed(span, errorMessage(error), error);
      span.end();
      throw error;
    }
    if (tasks.length === 0) return tasks;
    const span = this.claimSpan(info, startTime, tasks.length);
    span.end();
    const spanContext = span.spanContext();
    for (const task of tasks) this.claims.set(task, spanContext);
    return tasks;
  }

  settleBatch(info: SettleBatchInfo, settle: () => Promise<SettleResult>): Promise<SettleResult> {
    if (!this.batchSpans) return context.with(ROOT_CONTEXT, settle);
    const links: Link[] = [];
    for (const task of info.tasks) {
      const execution = this.executions.get(task);
      if (execution) links.push(linkTo(execution, 'execution'));
    }
    const attributes: Attributes = {
      ...COMMON,
      [A.MESSAGING_OPERATION_TYPE]: 'settle',
      [A.MESSAGING_OPERATION_NAME]: 'settle',
      [A.MESSAGING_BATCH_MESSAGE_COUNT]: info.outcomes.length,
      [A.MESSAGING_CLIENT_ID]: info.owner,
    };
    return this.tracer.startActiveSpan(
      SchedulerSpanNames.SETTLE,
      { kind: SpanKind.INTERNAL, attributes, links },
      ROOT_CONTEXT,
      async (span) => {
        try {
          const result = await settle();
          span.setAttribute(A.SETTLE_REJECTED, result.rejected.length);
          return result;
        } catch (error) {
          failed(span, errorMessage(error), error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** A one-time run that starts soon after its task was created is a child; else a link. */
  private isChild(info: ExecutionInfo): boolean {
    if (info.recurring || this.parentWithinMs === 0) return false;
    return info.startedAt.getTime() - info.task.createdAt.getTime() <= this.parentWithinMs;
  }

  private claimSpan(info: ClaimBatchInfo, startTime: number, count: number): Span {
    return this.tracer.startSpan(
      SchedulerSpanNames.CLAIM,
      {
        kind: SpanKind.INTERNAL,
        startTime,
        attributes: {
          ...COMMON,
          [A.MESSAGING_OPERATION_TYPE]: 'receive',
          [A.MESSAGING_OPERATION_NAME]: 'claim',
          [A.MESSAGING_BATCH_MESSAGE_COUNT]: count,
          [A.MESSAGING_CLIENT_ID]: info.owner,
          [A.CLAIM_LIMIT]: info.limit,
          [A.CLAIM_KINDS]: [...info.kinds],
        },
      },
      ROOT_CONTEXT,
    );
  }
}

/** The span of one execution: the job runs in its context; it ends with the run's outcome. */
class ExecutionSpan implements ExecutionScope {
  constructor(
    private readonly span: Span,
    private readonly active: Context,
  ) {}

  run<T>(work: () => T): T {
    return context.with(this.active, work);
  }

  end(end: ExecutionEnd): void {
    const { span } = this;
    span.setAttribute(A.RUN_OUTCOME, end.outcome);
    if (end.next !== null) span.setAttribute(A.RUN_NEXT, end.next);
    if (end.nextRunAt !== null) span.setAttribute(A.RUN_NEXT_RUN_AT, end.nextRunAt.toISOString());
    if (end.outcome === 'failed') failed(span, end.error ?? 'failed', end.thrown);
    span.end();
  }
}

function linkTo(spanContext: SpanContext, type: 'producer' | 'claim' | 'execution'): Link {
  return { context: spanContext, attributes: { [A.LINK_TYPE]: type } };
}

/** Marks a span failed: status ERROR with the reason, `error.type`, and an exception event. */
function failed(span: Span, reason: string, thrown: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  span.setAttribute(A.ERROR_TYPE, thrown instanceof Error ? thrown.name : '_OTHER');
  if (thrown instanceof Error) span.recordException(thrown);
  else span.recordException({ name: 'Error', message: reason });
}
