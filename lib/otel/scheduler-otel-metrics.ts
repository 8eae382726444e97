import {
  metrics,
  type BatchObservableCallback,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type ObservableGauge,
} from '@opentelemetry/api';

import { SystemClock, type Clock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';
import { countDueByKind, oldestDueAgeSeconds } from '../metrics/due-tasks.js';
import { followScheduler } from '../metrics/measurements.js';
import { INSTRUMENTATION_NAME } from './attributes.js';

/** Options of {@link registerSchedulerOtelMetrics}. */
export interface SchedulerOtelMetricsOptions {
  /** Where the meter comes from. Default: the global provider the app's SDK registers. */
  meterProvider?: MeterProvider;
  /** Prefix of every instrument name. Default `scheduler.`. */
  prefix?: string;
  /** The scheduler's store: enables `<prefix>oldest_due_age` (one indexed `nextRun` call per collection). */
  store?: Pick<JobStore, 'nextRun'>;
  /** What "now" is for the due gauges. Default: the system clock. */
  clock?: Clock;
  /**
   * How many tasks `<prefix>tasks_due` reads per collection (it pages through `listJobs`); past that
   * many its counts are a lower bound. `0` leaves the gauge out. Default 10 000.
   */
  dueScanLimit?: number;
}

/** The instruments of {@link registerSchedulerOtelMetrics}; `dispose()` stops following the scheduler. */
export interface SchedulerOtelMetrics {
  /** Stops following the scheduler's events and observing its gauges. Idempotent. */
  dispose(): void;
}

/** The same metrics as `nestjs-durable-scheduler/prometheus`, by their Prometheus names' suffix. */
const NAMES = {
  executions: 'executions',
  duration: 'execution.duration',
  lateness: 'execution.lateness',
  retries: 'retries',
  dead: 'dead',
  misfires: 'misfires',
  leasesLost: 'leases_lost',
  storeErrors: 'store_errors',
  inFlight: 'jobs_in_flight',
  loopRunning: 'loop_running',
  lastPollAge: 'last_poll_age',
  tasksDue: 'tasks_due',
  oldestDueAge: 'oldest_due_age',
} as const;

/**
 * The scheduler's metrics through the OpenTelemetry metrics API, for apps that export metrics with
 * an OpenTelemetry SDK rather than scrape prom-client: the same measurements as the Prometheus
 * metrics (`registerSchedulerMetrics`), with the same `kind`, `outcome` and `operation` attributes,
 * named `scheduler.<name>` with units instead of suffixes (docs/opentelemetry.md has the table).
 * Counters and histograms follow the engine's events; gauges are observed at each collection.
 *
 * ```ts
 * const otelMetrics = registerSchedulerOtelMetrics(scheduler, { store });
 * otelMetrics.dispose(); // on shutdown
 * ```
 */
export function registerSchedulerOtelMetrics(
  scheduler: Scheduler,
  options: SchedulerOtelMetricsOptions = {},
): SchedulerOtelMetrics {
  const meter: Meter = (options.meterProvider ?? metrics).getMeter(INSTRUMENTATION_NAME);
  const prefix = options.prefix ?? 'scheduler.';
  const clock = options.clock ?? new SystemClock();
  const dueScanLimit = options.dueScanLimit ?? 10_000;
  const name = (suffix: string): string => prefix + suffix;
  const count = (suffix: string, description: string, unit: string): Counter =>
    meter.createCounter(name(suffix), { description, unit });

  const executions = count(
    NAMES.executions,
    'Job runs that ended, by kind and outcome (succeeded or failed).',
    '{run}',
  );
  const duration: Histogram = meter.createHistogram(name(NAMES.duration), {
    description: 'How long job runs took, by kind and outcome.',
    unit: 's',
  });
  const lateness: Histogram = meter.createHistogram(name(NAMES.lateness), {
    description: 'How late job runs started: start time minus the time they were due, by kind.',
    unit: 's',
  });
  const retries = count(NAMES.retries, 'Failed runs that will be retried, by kind.', '{run}');
  const dead = count(NAMES.dead, 'Fires that gave up after maxRetries, by kind.', '{fire}');
  const misfires = count(
    NAMES.misfires,
    'Recurring tasks found to have missed fires while no instance ran them, by kind.',
    '{task}',
  );
  const leasesLost = count(
    NAMES.leasesLost,
    'Leases this instance lost (taken over, replaced or deleted), by kind.',
    '{lease}',
  );
  const storeErrors = count(
    NAMES.storeErrors,
    'Failed store calls of the scheduler loop, by operation.',
    '{error}',
  );

  const gauges: ObservableGauge[] = [
    meter.createObservableGauge(name(NAMES.inFlight), {
      description: 'Jobs running on this instance.',
      unit: '{job}',
    }),
    meter.createObservableGauge(name(NAMES.loopRunning), {
      description: '1 while the scheduler loop runs on this instance.',
    }),
    meter.createObservableGauge(name(NAMES.lastPollAge), {
      description: "Seconds since the scheduler loop's last successful store call; -1 before the first.",
      unit: 's',
    }),
  ];
  const [inFlight, loopRunning, lastPollAge] = gauges as [ObservableGauge, ObservableGauge, ObservableGauge];
  const tasksDue =
    dueScanLimit > 0
      ? meter.createObservableGauge(name(NAMES.tasksDue), {
          description: `Tasks due now and waiting to be claimed, by kind (counted over at most ${dueScanLimit} tasks).`,
          unit: '{task}',
        })
      : null;
  const store = options.store;
  const oldestDueAge = store
    ? meter.createObservableGauge(name(NAMES.oldestDueAge), {
        description:
          'Seconds the most overdue task of the kinds this instance runs has been waiting (0 when none is due).',
        unit: 's',
      })
    : null;
  if (tasksDue) gauges.push(tasksDue);
  if (oldestDueAge) gauges.push(oldestDueAge);

  const observe: BatchObservableCallback = async (result) => {
    const health = scheduler.health();
    result.observe(inFlight, health.inFlight);
    result.observe(loopRunning, health.running ? 1 : 0);
    result.observe(lastPollAge, health.lastPollAgeMs === null ? -1 : health.lastPollAgeMs / 1000);
    // A failed store read must not fail the collection: that gauge is left out this time.
    if (tasksDue) {
      const counts = await countDueByKind(scheduler, clock.now(), dueScanLimit).catch(() => null);
      for (const [kind, due] of counts ?? []) result.observe(tasksDue, due, { kind });
    }
    if (oldestDueAge && store) {
      const age = await oldestDueAgeSeconds(store, health.kinds, clock.now()).catch(() => null);
      if (age !== null) result.observe(oldestDueAge, age);
    }
  };
  meter.addBatchObservableCallback(observe, gauges);

  const unfollow = followScheduler(scheduler, {
    lateness: (kind, seconds) => lateness.record(seconds, { kind }),
    executed: (kind, outcome, seconds) => {
      executions.add(1, { kind, outcome });
      duration.record(seconds, { kind, outcome });
    },
    retrying: (kind) => retries.add(1, { kind }),
    dead: (kind) => dead.add(1, { kind }),
    misfired: (kind) => misfires.add(1, { kind }),
    leaseLost: (kind) => leasesLost.add(1, { kind }),
    storeError: (operation) => storeErrors.add(1, { operation }),
  });

  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      unfollow();
      meter.removeBatchObservableCallback(observe, gauges);
    },
  };
}
