import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { SystemClock, type Clock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';
import { countDueByKind, oldestDueAgeSeconds } from './due-tasks.js';
import { followScheduler } from './measurements.js';

/** Options of {@link registerSchedulerMetrics}. */
export interface SchedulerMetricsOptions {
  /** Where the metrics are registered. Default: prom-client's global `register`. */
  registry?: Registry;
  /** Prefix of every metric name. Default `scheduler_`. */
  prefix?: string;
  /**
   * The scheduler's store: enables `<prefix>oldest_due_age_seconds` (one indexed `nextRun` call per
   * scrape). The Nest module passes it for you.
   */
  store?: Pick<JobStore, 'nextRun'>;
  /** What "now" is for the due gauges. Default: the system clock (pass the scheduler's in tests). */
  clock?: Clock;
  /**
   * How many tasks `<prefix>tasks_due` reads per scrape (it pages through `listJobs`); past that many
   * tasks in the store its counts are a lower bound. `0` leaves the gauge out. Default 10 000.
   */
  dueScanLimit?: number;
  /** Buckets of `<prefix>execution_duration_seconds`. */
  durationBuckets?: number[];
  /** Buckets of `<prefix>execution_lateness_seconds`. */
  latenessBuckets?: number[];
}

/** Default buckets of the duration histogram, in seconds: 10 ms to an hour. */
export const DEFAULT_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Default buckets of the lateness histogram, in seconds: 10 ms to 10 minutes. */
export const DEFAULT_LATENESS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 600];
/** Default of {@link SchedulerMetricsOptions.dueScanLimit}. */
export const DEFAULT_DUE_SCAN_LIMIT = 10_000;

/**
 * The Prometheus metrics of one scheduler, registered by {@link registerSchedulerMetrics}. Counters
 * and histograms follow the engine's events; gauges are read when the registry is scraped.
 */
export class SchedulerMetrics {
  /** Runs that ended, by `kind` and `outcome` (`succeeded` or `failed`). */
  readonly executions: Counter<'kind' | 'outcome'>;
  /** How long runs took, by `kind` and `outcome`. */
  readonly duration: Histogram<'kind' | 'outcome'>;
  /** How late runs started (start time minus due time), by `kind`. */
  readonly lateness: Histogram<'kind'>;
  /** Failed runs that will be retried, by `kind`. */
  readonly retries: Counter<'kind'>;
  /** Fires that gave up after `maxRetries`, by `kind`. */
  readonly dead: Counter<'kind'>;
  /** Recurring tasks found to have missed fires, by `kind`. */
  readonly misfires: Counter<'kind'>;
  /** Leases this instance lost (taken over, replaced or deleted), by `kind`. */
  readonly leasesLost: Counter<'kind'>;
  /** Failed store calls of the loop, by `operation`. */
  readonly storeErrors: Counter<'operation'>;
  /** Jobs running on this instance. */
  readonly inFlight: Gauge;
  /** 1 while the loop runs. */
  readonly loopRunning: Gauge;
  /** Seconds since the loop's last successful store call; -1 before the first. */
  readonly lastPollAge: Gauge;
  /** Tasks due now and waiting, by `kind` (absent with `dueScanLimit: 0`). */
  readonly tasksDue: Gauge<'kind'> | null;
  /** Seconds the most overdue task of this instance's kinds has waited (absent without `store`). */
  readonly oldestDueAge: Gauge | null;
  /** The registry the metrics are in. */
  readonly registry: Registry;

  private readonly names: string[] = [];
  private readonly unsubscribers: Array<() => void> = [];

  /** Use {@link registerSchedulerMetrics}. */
  constructor(scheduler: Scheduler, options: SchedulerMetricsOptions = {}) {
    const registry = options.registry ?? globalRegistry;
    const prefix = options.prefix ?? 'scheduler_';
    const clock = options.clock ?? new SystemClock();
    const dueScanLimit = options.dueScanLimit ?? DEFAULT_DUE_SCAN_LIMIT;
    const registers = [registry];
    // A name is remembered for dispose() only once its metric is in the registry: a clash with a
    // metric registered by someone else must not remove theirs.
    let pending: string | null = null;
    const name = (suffix: string): string => {
      if (pending !== null) this.names.push(pending);
      pending = prefix + suffix;
      return pending;
    };
    this.registry = registry;
    try {
      this.executions = new Counter({
        name: name('executions_total'),
        help: 'Job runs that ended, by kind and outcome (succeeded or failed).',
        labelNames: ['kind', 'outcome'] as const,
        registers,
      });
      this.duration = new Histogram({
        name: name('execution_duration_seconds'),
        help: 'How long job runs took, by kind and outcome.',
        labelNames: ['kind', 'outcome'] as const,
        buckets: options.durationBuckets ?? DEFAULT_DURATION_BUCKETS,
        registers,
      });
      this.lateness = new Histogram({
        name: name('execution_lateness_seconds'),
        help: 'How late job runs started: start time minus the time they were due, by kind.',
        labelNames: ['kind'] as const,
        buckets: options.latenessBuckets ?? DEFAULT_LATENESS_BUCKETS,
        registers,
      });
      this.retries = this.counter(
        name('retries_total'),
        'Failed runs that will be retried, by kind.',
        'kind',
      );
      this.dead = this.counter(name('dead_total'), 'Fires that gave up after maxRetries, by kind.', 'kind');
      this.misfires = this.counter(
        name('misfires_total'),
        'Recurring tasks found to have missed fires while no instance ran them, by kind.',
        'kind',
      );
      this.leasesLost = this.counter(
        name('leases_lost_total'),
        'Leases this instance lost (taken over by another instance, or the task replaced or deleted), by kind.',
        'kind',
      );
      this.storeErrors = this.counter(
        name('store_errors_total'),
        'Failed store calls of the scheduler loop, by operation.',
        'operation',
      );

      this.inFlight = new Gauge({
        name: name('jobs_in_flight'),
        help: 'Jobs running on this instance.',
        registers,
        collect: () => this.inFlight.set(scheduler.health().inFlight),
      });
      this.loopRunning = new Gauge({
        name: name('loop_running'),
        help: '1 while the scheduler loop runs on this instance.',
        registers,
        collect: () => this.loopRunning.set(scheduler.health().running ? 1 : 0),
      });
      this.lastPollAge = new Gauge({
        name: name('last_poll_age_seconds'),
        help: "Seconds since the scheduler loop's last successful store call; -1 before the first.",
        registers,
        collect: () => {
          const age = scheduler.health().lastPollAgeMs;
          this.lastPollAge.set(age === null ? -1 : age / 1000);
        },
      });
      this.tasksDue =
        dueScanLimit > 0
          ? new Gauge({
              name: name('tasks_due'),
              help: `Tasks due now and waiting to be claimed, by kind (counted over at most ${dueScanLimit} tasks).`,
              labelNames: ['kind'] as const,
              registers,
              collect: async () => {
                const gauge = this.tasksDue as Gauge<'kind'>;
                // A failed store read must not fail the whole scrape: the last counts stay.
                const counts = await countDueByKind(scheduler, clock.now(), dueScanLimit).catch(() => null);
                if (!counts) return;
                gauge.reset();
                for (const [kind, count] of counts) gauge.set({ kind }, count);
              },
            })
          : null;
      const store = options.store;
      this.oldestDueAge = store
        ? new Gauge({
            name: name('oldest_due_age_seconds'),
            help: 'Seconds the most overdue task of the kinds this instance runs has been waiting (0 when none is due).',
            registers,
            collect: async () => {
              const age = await oldestDueAgeSeconds(store, scheduler.health().kinds, clock.now()).catch(
                () => null,
              );
              if (age !== null) (this.oldestDueAge as Gauge).set(age);
            },
          })
        : null;
      if (pending !== null) this.names.push(pending);
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.subscribe(scheduler);
  }

  /** Stops following the scheduler and removes the metrics from the registry. Idempotent. */
  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const metricName of this.names.splice(0)) this.registry.removeSingleMetric(metricName);
  }

  private counter<L extends string>(name: string, help: string, label: L): Counter<L> {
    return new Counter({ name, help, labelNames: [label], registers: [this.registry] });
  }

  private subscribe(scheduler: Scheduler): void {
    this.unsubscribers.push(
      followScheduler(scheduler, {
        lateness: (kind, seconds) => this.lateness.observe({ kind }, seconds),
        executed: (kind, outcome, seconds) => {
          this.executions.inc({ kind, outcome });
          this.duration.observe({ kind, outcome }, seconds);
        },
        retrying: (kind) => this.retries.inc({ kind }),
        dead: (kind) => this.dead.inc({ kind }),
        misfired: (kind) => this.misfires.inc({ kind }),
        leaseLost: (kind) => this.leasesLost.inc({ kind }),
        storeError: (operation) => this.storeErrors.inc({ operation }),
      }),
    );
  }
}

/**
 * Registers a scheduler's Prometheus metrics (prom-client, an optional peer: this module is the
 * `nestjs-durable-scheduler/prometheus` entry point, so only apps that import it need the package).
 *
 * ```ts
 * const registry = new Registry();
 * const metrics = registerSchedulerMetrics(scheduler, { registry, store });
 * // GET /metrics → await registry.metrics()
 * metrics.dispose(); // on shutdown, or before registering again in the same registry
 * ```
 *
 * @throws Error from prom-client when metrics of the same names are already in the registry (give
 *   another `prefix` to a second scheduler).
 */
export function registerSchedulerMetrics(
  scheduler: Scheduler,
  options: SchedulerMetricsOptions = {},
): SchedulerMetrics {
  return new SchedulerMetrics(scheduler, options);
}
