/**
 * Traces across the delay, on PostgreSQL: one scheduler instance schedules inside an active span
 * (the app's request), another one runs the job; the OpenTelemetry SDK's in-memory exporter shows
 * the producer span, the execution span (a child of it, or a new trace that links to it), the
 * claim and settle spans, and what a failure records.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { SchedulerOptions } from '../../lib/core/scheduler.types.js';
import { OpenTelemetryInstrumentation, SchedulerAttributes as A } from '../../lib/otel/index.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { eventually } from '../../lib/testing/contract/fixtures.js';
import { ControlledJob } from '../../lib/testing/operating/operating-harness.js';
import { usePostgresDatabase } from '../support/postgres.js';

const db = usePostgresDatabase();
const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();
const tracer = trace.getTracer('the-app');

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});

afterAll(() => {
  trace.disable();
  context.disable();
});

/** What the job saw of the active span while it ran, by slug. */
const activeInJob = new Map<string, string | undefined>();
/** The trace context of the task as the job (on the worker instance) read it, by slug. */
const contextInJob = new Map<string, unknown>();

const work = new ControlledJob('work', (task) => {
  activeInJob.set(task.slug, trace.getActiveSpan()?.spanContext().spanId);
  contextInJob.set(task.slug, task.traceContext);
  if ((task.payload as { fail?: boolean } | null)?.fail) throw new TypeError('the job failed on purpose');
});

interface Instances {
  /** Schedules only (never started): the web tier. */
  producer: StdScheduler;
  /** Runs the jobs: the worker tier. */
  worker: StdScheduler;
}

const opened: Array<{ scheduler: StdScheduler; store: PostgresStore }> = [];

async function instances(options: {
  producer?: SchedulerOptions;
  worker?: SchedulerOptions;
  parentWithinMs?: number;
}): Promise<Instances> {
  const make = (own: SchedulerOptions | undefined, instrumentation: OpenTelemetryInstrumentation) => {
    const store = new PostgresStore({ pool: db.pool({ max: 4 }), logger: silentLogger });
    const scheduler = new StdScheduler(store, {
      logger: silentLogger,
      heartbeat: 200,
      instrumentation,
      ...own,
    });
    opened.push({ scheduler, store });
    return scheduler;
  };
  const producer = make(options.producer, new OpenTelemetryInstrumentation());
  const worker = make(
    options.worker,
    new OpenTelemetryInstrumentation({ parentWithinMs: options.parentWithinMs }),
  );
  worker.registerJob(work, { maxRetries: 0 });
  await worker.start();
  return { producer, worker };
}

afterEach(async () => {
  for (const { scheduler, store } of opened.splice(0)) {
    await scheduler.stop({ timeoutMs: 0 });
    await store.close();
  }
  exporter.reset();
  activeInJob.clear();
  contextInJob.clear();
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const named = (name: string): ReadableSpan[] => spans().filter((span) => span.name === name);
const bySlug = (name: string, slug: string): ReadableSpan | undefined =>
  named(name).find((span) => span.attributes[A.MESSAGING_MESSAGE_ID] === slug);

/** Waits until the execution of `slug` has ended and its outcome batch was written. */
async function executed(slug: string): Promise<ReadableSpan> {
  await eventually(() => {
    const execution = bySlug('process work', slug);
    const id = execution?.spanContext().spanId;
    return named('settle').some((settle) => settle.links.some((link) => link.context.spanId === id));
  }, `the execution and settle spans of ${slug}`);
  return bySlug('process work', slug)!;
}

/** Schedules inside an active span of the app (an HTTP request, say), as `scheduleJob` does there. */
function inRequest<T>(run: () => Promise<T>): Promise<{ result: T; request: ReadableSpan['spanContext'] }> {
  return tracer.startActiveSpan('POST /orders', { kind: SpanKind.SERVER }, async (span) => {
    try {
      const result = await run();
      return { result, request: () => span.spanContext() };
    } finally {
      span.end();
    }
  });
}

describe('OpenTelemetry across two scheduler instances on PostgreSQL', () => {
  it('runs a one-time task scheduled in a request as a child of its scheduling span, on the other instance', async () => {
    const { producer, worker } = await instances({ producer: { propagateTraceContext: true } });
    const { request } = await inRequest(() => producer.scheduleJob('order-1', 'work', { payload: { n: 1 } }));

    const execution = await executed('order-1');
    const scheduling = named('scheduleJob work')[0]!;
    expect(scheduling.kind).toBe(SpanKind.PRODUCER);
    expect(scheduling.parentSpanContext?.spanId).toBe(request().spanId);
    expect(scheduling.attributes).toMatchObject({
      [A.MESSAGING_SYSTEM]: 'nestjs_durable_scheduler',
      [A.MESSAGING_OPERATION_TYPE]: 'send',
      [A.MESSAGING_OPERATION_NAME]: 'scheduleJob',
      [A.MESSAGING_DESTINATION_NAME]: 'work',
      [A.MESSAGING_MESSAGE_ID]: 'order-1',
      [A.TASK_RECURRING]: false,
      [A.TRACE_CONTEXT_STORED]: true,
    });
    const { traceId, spanId } = scheduling.spanContext();
    // The context was stored with the task, as a W3C traceparent, and read by the other instance.
    expect(contextInJob.get('order-1')).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });

    expect(execution.kind).toBe(SpanKind.CONSUMER);
    expect(execution.spanContext().traceId).toBe(traceId);
    expect(execution.parentSpanContext?.spanId).toBe(spanId);
    expect(execution.status.code).toBe(SpanStatusCode.UNSET);
    expect(execution.attributes).toMatchObject({
      [A.MESSAGING_OPERATION_TYPE]: 'process',
      [A.MESSAGING_DESTINATION_NAME]: 'work',
      [A.MESSAGING_MESSAGE_ID]: 'order-1',
      [A.MESSAGING_CLIENT_ID]: worker.instanceId,
      [A.RUN_ATTEMPT]: 1,
      [A.RUN_PRODUCER]: 'parent',
      [A.RUN_OUTCOME]: 'succeeded',
      [A.RUN_NEXT]: 'deleted',
    });
    expect(typeof execution.attributes[A.RUN_LATENESS_MS]).toBe('number');
    // The job ran inside the execution span: what it traces nests under it.
    expect(activeInJob.get('order-1')).toBe(execution.spanContext().spanId);
    // The producer instance wrote no claim or settle span: only the worker claims.
    expect(
      named('claim').every((claim) => claim.attributes[A.MESSAGING_CLIENT_ID] === worker.instanceId),
    ).toBe(true);
  });

  it('starts a trace of its own that links to the scheduling span for a recurring task', async () => {
    const { producer } = await instances({ producer: { propagateTraceContext: true } });
    await inRequest(() =>
      producer.scheduleJob('nightly', 'work', { trigger: { every: '1h' }, runAt: new Date() }),
    );
    const execution = await executed('nightly');
    const scheduling = named('scheduleJob work')[0]!;
    expect(scheduling.attributes[A.TASK_RECURRING]).toBe(true);
    expect(execution.spanContext().traceId).not.toBe(scheduling.spanContext().traceId);
    expect(execution.parentSpanContext).toBeUndefined();
    const producerLinks = execution.links.filter((link) => link.attributes?.[A.LINK_TYPE] === 'producer');
    expect(producerLinks.map((link) => link.context.spanId)).toEqual([scheduling.spanContext().spanId]);
    expect(producerLinks[0]!.context.traceId).toBe(scheduling.spanContext().traceId);
    expect(execution.attributes).toMatchObject({
      [A.RUN_PRODUCER]: 'link',
      [A.TASK_RECURRING]: true,
      [A.RUN_OUTCOME]: 'succeeded',
      [A.RUN_NEXT]: 'rescheduled',
    });
    expect(typeof execution.attributes[A.RUN_NEXT_RUN_AT]).toBe('string');
  });

  it('traces ensureRecurring when it creates its task (not when the task is already there)', async () => {
    const { producer } = await instances({ producer: { propagateTraceContext: true } });
    await inRequest(() => producer.ensureRecurring('hourly-report', 'work', { every: '1h' }));
    await inRequest(() => producer.ensureRecurring('hourly-report', 'work', { every: '1h' }));
    const scheduling = named('ensureRecurring work');
    expect(scheduling.map((span) => [span.kind, span.attributes[A.TASK_RECURRING]])).toEqual([
      [SpanKind.PRODUCER, true],
    ]);
    await producer.triggerJob('hourly-report');
    const execution = await executed('hourly-report');
    expect(execution.attributes[A.RUN_PRODUCER]).toBe('link');
    expect(execution.links.map((link) => link.context.spanId)).toContain(scheduling[0]!.spanContext().spanId);
  });

  it('links instead of parenting a one-time run that starts later than parentWithinMs after scheduling', async () => {
    const { producer } = await instances({ producer: { propagateTraceContext: true }, parentWithinMs: 0 });
    await inRequest(() => producer.scheduleJob('later', 'work'));
    const execution = await executed('later');
    const scheduling = named('scheduleJob work')[0]!;
    expect(execution.parentSpanContext).toBeUndefined();
    expect(execution.attributes[A.RUN_PRODUCER]).toBe('link');
    expect(execution.links.map((link) => link.context.spanId)).toContain(scheduling.spanContext().spanId);
  });

  it('records a failed run: status ERROR, error.type and an exception event', async () => {
    const { producer } = await instances({ producer: { propagateTraceContext: true } });
    await inRequest(() => producer.scheduleJob('broken', 'work', { payload: { fail: true } }));
    const execution = await executed('broken');
    expect(execution.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the job failed on purpose' });
    expect(execution.attributes).toMatchObject({
      [A.RUN_OUTCOME]: 'failed',
      // maxRetries: 0 — a one-time task is kept as failed.
      [A.RUN_NEXT]: 'gave-up',
      [A.ERROR_TYPE]: 'TypeError',
    });
    const exception = execution.events.find((event) => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'the job failed on purpose',
    } satisfies Attributes);
    expect(String(exception?.attributes?.['exception.stacktrace'])).toContain('TypeError');
  });

  it('records claims that got tasks and settle batches, linked to and from the executions', async () => {
    const { producer } = await instances({ producer: { propagateTraceContext: true } });
    await inRequest(() => producer.scheduleJob('batched', 'work'));
    const execution = await executed('batched');
    const claimLink = execution.links.find((link) => link.attributes?.[A.LINK_TYPE] === 'claim');
    const claim = named('claim').find((span) => span.spanContext().spanId === claimLink?.context.spanId);
    expect(claim?.kind).toBe(SpanKind.INTERNAL);
    expect(claim?.attributes).toMatchObject({
      [A.MESSAGING_OPERATION_TYPE]: 'receive',
      [A.MESSAGING_BATCH_MESSAGE_COUNT]: 1,
      [A.CLAIM_KINDS]: ['work'],
    });
    const settle = named('settle').find((span) =>
      span.links.some((link) => link.context.spanId === execution.spanContext().spanId),
    );
    expect(settle?.attributes).toMatchObject({
      [A.MESSAGING_OPERATION_TYPE]: 'settle',
      [A.MESSAGING_BATCH_MESSAGE_COUNT]: 1,
      [A.SETTLE_REJECTED]: 0,
    });
    // Every claim span got tasks: the idle loop's empty claims leave no trace.
    expect(named('claim').every((span) => Number(span.attributes[A.MESSAGING_BATCH_MESSAGE_COUNT]) > 0)).toBe(
      true,
    );
  });

  it('stores no trace context unless asked (per scheduler or per call)', async () => {
    const { producer } = await instances({});
    const inAnHour = { delay: 3_600_000 };
    await inRequest(() => producer.scheduleJob('untraced', 'work', inAnHour));
    await inRequest(() =>
      producer.scheduleJob('asked', 'work', { ...inAnHour, propagateTraceContext: true }),
    );
    const rows = await db.query<{ slug: string; stored: boolean }>(
      "SELECT slug, trace_context IS NOT NULL AS stored FROM scheduler_tasks WHERE slug IN ('asked', 'untraced') ORDER BY slug",
    );
    expect(rows).toEqual([
      { slug: 'asked', stored: true },
      { slug: 'untraced', stored: false },
    ]);
    expect((await producer.getScheduledJob('asked')).traceContext?.traceparent).toMatch(/^00-/);
    expect('traceContext' in (await producer.getScheduledJob('untraced'))).toBe(false);
    expect(named('scheduleJob work').map((span) => span.attributes[A.TRACE_CONTEXT_STORED])).toEqual([
      false,
      true,
    ]);

    await producer.triggerJob('untraced');
    await producer.triggerJob('asked');
    const untraced = await executed('untraced');
    const asked = await executed('asked');
    expect(untraced.attributes[A.RUN_PRODUCER]).toBe('none');
    expect(untraced.parentSpanContext).toBeUndefined();
    expect(asked.attributes[A.RUN_PRODUCER]).toBe('parent');
  });
});
