/**
 * The scheduler's metrics through the OpenTelemetry metrics API, read with the SDK's MeterProvider
 * next to the Prometheus metrics of the same scheduler: the two agree.
 */
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';

import { FixedBackoff } from '../../lib/core/backoff.js';
import { VirtualClock } from '../../lib/core/clock.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { registerSchedulerMetrics } from '../../lib/metrics/index.js';
import { registerSchedulerOtelMetrics } from '../../lib/otel/index.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { ControlledJob, SECOND } from '../../lib/testing/operating/operating-harness.js';

/** Collects on demand (the test decides when). */
class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** The data points of every instrument, by name, as `attributes → value` (a histogram's count and sum). */
async function collect(reader: MetricReader): Promise<Record<string, Record<string, unknown>>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const out: Record<string, Record<string, unknown>> = {};
  const metricsOf: MetricData[] = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  for (const metric of metricsOf) {
    const points: Record<string, unknown> = {};
    for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
      const key = Object.entries(point.attributes)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ');
      points[key] =
        metric.dataPointType === DataPointType.HISTOGRAM
          ? { count: (point.value as Histogram).count, sum: (point.value as Histogram).sum }
          : point.value;
    }
    out[metric.descriptor.name] = points;
  }
  return out;
}

describe('registerSchedulerOtelMetrics', () => {
  it('measures what the Prometheus metrics measure, with the same attributes', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    const scheduler = new StdScheduler(store, { clock, logger: silentLogger, instanceId: 'otel-metrics' });
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const registry = new Registry();
    const prometheus = registerSchedulerMetrics(scheduler, { registry, clock, store });
    const otel = registerSchedulerOtelMetrics(scheduler, { meterProvider, clock, store });
    scheduler.registerJob(new ControlledJob('m-ok', () => void clock.advanceBy(2 * SECOND)));
    scheduler.registerJob(
      new ControlledJob('m-broken', () => {
        throw new Error('nope');
      }),
      { maxRetries: 1, backoff: new FixedBackoff([SECOND]) },
    );
    try {
      await scheduler.scheduleJob('ok-1', 'm-ok', { runAt: clock.now() });
      await scheduler.scheduleJob('broken-1', 'm-broken', { runAt: clock.now() });
      await scheduler.scheduleJob('later', 'm-ok', { runAt: new Date(clock.now().getTime() + 60 * SECOND) });
      clock.advanceBy(5 * SECOND);
      await scheduler.start();
      await scheduler.whenIdle();
      clock.advanceBy(10 * SECOND);
      await scheduler.whenIdle();

      const seen = await collect(reader);
      expect(seen['scheduler.executions']).toEqual({
        'kind=m-ok outcome=succeeded': 1,
        'kind=m-broken outcome=failed': 2,
      });
      expect(seen['scheduler.retries']).toEqual({ 'kind=m-broken': 1 });
      expect(seen['scheduler.dead']).toEqual({ 'kind=m-broken': 1 });
      expect(seen['scheduler.execution.duration']).toMatchObject({
        'kind=m-ok outcome=succeeded': { count: 1, sum: 2 },
      });
      expect(seen['scheduler.execution.lateness']).toMatchObject({ 'kind=m-ok': { count: 1, sum: 5 } });
      expect(seen['scheduler.jobs_in_flight']).toEqual({ '': 0 });
      expect(seen['scheduler.loop_running']).toEqual({ '': 1 });
      // 'later' is not due yet: nothing waits.
      expect(seen['scheduler.oldest_due_age']).toEqual({ '': 0 });

      // The same counts as prom-client's.
      const prom = await registry.getSingleMetricAsString('scheduler_executions_total');
      expect(prom).toContain('scheduler_executions_total{kind="m-ok",outcome="succeeded"} 1');
      expect(prom).toContain('scheduler_executions_total{kind="m-broken",outcome="failed"} 2');

      await scheduler.stop();
      clock.advanceBy(60 * SECOND);
      const stopped = await collect(reader);
      expect(stopped['scheduler.loop_running']).toEqual({ '': 0 });
      // 'later' became due while the loop was stopped, 17 s ago (5 + 2 in ok-1's run + 10 + 60 - 60).
      expect(stopped['scheduler.tasks_due']).toEqual({ 'kind=m-ok': 1 });
      expect(stopped['scheduler.oldest_due_age']).toEqual({ '': 17 });

      otel.dispose();
      otel.dispose();
      await scheduler.scheduleJob('after-dispose', 'm-ok', { runAt: clock.now() });
      await scheduler.start();
      await scheduler.whenIdle();
      const after = await collect(reader);
      // Nothing counted after dispose, and the gauges are no longer observed: the loop runs again,
      // but the gauge keeps the last value it was given (the SDK reports it as it last saw it).
      expect(after['scheduler.executions']).toEqual(seen['scheduler.executions']);
      expect(after['scheduler.loop_running'] ?? {}).not.toEqual({ '': 1 });
    } finally {
      prometheus.dispose();
      otel.dispose();
      await scheduler.stop({ timeoutMs: 0 });
      await meterProvider.shutdown();
    }
  });
});
