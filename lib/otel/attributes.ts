/**
 * Every span name and attribute the OpenTelemetry instrumentation writes, in one place (documented
 * in docs/opentelemetry.md). Names from the OpenTelemetry messaging semantic conventions where they
 * fit; the rest under the `durable_scheduler.` namespace.
 */

/** The instrumentation scope (the tracer's and the meter's name). */
export const INSTRUMENTATION_NAME = 'nestjs-durable-scheduler';

/** The value of `messaging.system` and `messaging.system.name`. */
export const MESSAGING_SYSTEM = 'nestjs_durable_scheduler';

/** Span attribute names. */
export const SchedulerAttributes = {
  /** `nestjs_durable_scheduler` (the semantic conventions' older name, still read by many backends). */
  MESSAGING_SYSTEM: 'messaging.system',
  /** `nestjs_durable_scheduler` (the semantic conventions' current name). */
  MESSAGING_SYSTEM_NAME: 'messaging.system.name',
  /** `send` (scheduling), `process` (an execution), `receive` (a claim), `settle` (an outcome batch). */
  MESSAGING_OPERATION_TYPE: 'messaging.operation.type',
  /** `scheduleJob`, `scheduleJobs`, `ensureRecurring`, `process`, `claim`, `settle`. */
  MESSAGING_OPERATION_NAME: 'messaging.operation.name',
  /** The task's kind (the job that runs it): the scheduler's counterpart of a queue. */
  MESSAGING_DESTINATION_NAME: 'messaging.destination.name',
  /** The task's slug. */
  MESSAGING_MESSAGE_ID: 'messaging.message.id',
  /** How many tasks a batch holds (scheduled, claimed or settled). */
  MESSAGING_BATCH_MESSAGE_COUNT: 'messaging.batch.message_count',
  /** The scheduler instance's id (its lease owner). */
  MESSAGING_CLIENT_ID: 'messaging.client.id',
  /** Why an operation failed: the class of what was thrown (`Error`, `TypeError`, …), else `_OTHER`. */
  ERROR_TYPE: 'error.type',
  /** When the task is due (ISO 8601), as scheduled. */
  TASK_RUN_AT: 'durable_scheduler.task.run_at',
  /**
   * Whether the task recurs: on an execution, by its own schedule or its kind's trigger; on
   * scheduling, by its own schedule (the scheduling instance may not know its kind's trigger).
   */
  TASK_RECURRING: 'durable_scheduler.task.recurring',
  /** Which creation of the slug the task is (see `StoreTask.incarnation`). */
  TASK_INCARNATION: 'durable_scheduler.task.incarnation',
  /** Whether the scheduling call stored its trace context with the task. */
  TRACE_CONTEXT_STORED: 'durable_scheduler.trace_context.stored',
  /** 1 for the first attempt of a fire, 2 for the first retry, … */
  RUN_ATTEMPT: 'durable_scheduler.run.attempt',
  /** When this run was due (ISO 8601). */
  RUN_SCHEDULED_AT: 'durable_scheduler.run.scheduled_at',
  /** How late the run started: its start minus its due time, in ms (0 when on time). */
  RUN_LATENESS_MS: 'durable_scheduler.run.lateness_ms',
  /** How the run ended: `succeeded`, `failed`, `skipped` or `abandoned`. */
  RUN_OUTCOME: 'durable_scheduler.run.outcome',
  /** What happens to the task: `deleted`, `rescheduled`, `retrying`, `gave-up` or `discarded`. */
  RUN_NEXT: 'durable_scheduler.run.next',
  /** When the task runs next (ISO 8601), if it does. */
  RUN_NEXT_RUN_AT: 'durable_scheduler.run.next_run_at',
  /**
   * How the execution relates to the scheduling call: `parent` (a child of its span), `link` (a
   * new trace that links to it), `none` (no trace context was stored with the task).
   */
  RUN_PRODUCER: 'durable_scheduler.run.producer',
  /** The most tasks a claim asked for. */
  CLAIM_LIMIT: 'durable_scheduler.claim.limit',
  /** The kinds a claim asked for. */
  CLAIM_KINDS: 'durable_scheduler.claim.kinds',
  /** How many outcomes of a settle batch the store refused (the lease was lost meanwhile). */
  SETTLE_REJECTED: 'durable_scheduler.settle.rejected',
  /** On a link: what it points at, `producer` (the scheduling span), `claim` or `execution`. */
  LINK_TYPE: 'durable_scheduler.link.type',
} as const;

/** Span names (besides the producer's `<operation> <kind>` and the execution's `process <kind>`). */
export const SchedulerSpanNames = {
  CLAIM: 'claim',
  SETTLE: 'settle',
} as const;
