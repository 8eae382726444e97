import { Inject, Injectable } from '@nestjs/common';
import type { Scheduler } from '../../core/scheduler.types.js';
import type { ResolvedSchedulerModuleOptions } from '../scheduler-module-options.interface.js';
import { getSchedulerToken, SCHEDULER_MODULE_OPTIONS } from '../scheduler.constants.js';
import { checkSchedulerHealth, type SchedulerHealthCheckOptions } from './scheduler-health.check.js';

/**
 * What the indicator reports under its key. A type (not an interface) so that it is assignable to
 * `@nestjs/terminus`'s `HealthIndicatorResult`, whose details are an open record.
 */
export type SchedulerHealthDetails = {
  status: 'up' | 'down';
  /** What is wrong, when down. */
  message?: string;
  instanceId: string;
  running: boolean;
  storeReachable: boolean;
  storeLatencyMs: number | null;
  /** Why the store probe failed, when it did. */
  storeError: string | null;
  /** ISO time of the loop's last successful store call. */
  lastPollAt: string | null;
  lastPollAgeMs: number | null;
  /** The loop's last store error (cleared by its next successful call). */
  lastStoreError: string | null;
  consecutiveStoreErrors: number;
  inFlight: number;
  /** How long the oldest job running here has run, in ms. */
  oldestRunningMs: number | null;
  /** Jobs left running in the background after their aborted signal's grace. */
  detachedRuns: number;
  /** Run outcomes waiting to be written, and how long the oldest has waited. */
  pendingOutcomes: number;
  oldestPendingOutcomeMs: number | null;
  lastOutcomeWriteError: string | null;
};

/** The result of `isHealthy(key)`: `{ [key]: details }`, the shape `@nestjs/terminus` expects. */
export type SchedulerHealthIndicatorResult<Key extends string = 'scheduler'> = Record<
  Key,
  SchedulerHealthDetails
>;

/**
 * A health indicator for `@nestjs/terminus` (11 or later): store reachable, loop running, age of the
 * loop's last successful poll. It does not import terminus (an optional peer): it returns the result
 * object terminus reads, `status: 'down'` included, which terminus counts as a failed check. Provided
 * and exported by `SchedulerModule`.
 *
 * ```ts
 * @Controller('health')
 * export class HealthController {
 *   constructor(
 *     private readonly health: HealthCheckService,
 *     private readonly scheduler: SchedulerHealthIndicator,
 *   ) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.scheduler.isHealthy('scheduler', { maxPollAgeMs: 30_000 })]);
 *   }
 * }
 * ```
 */
@Injectable()
export class SchedulerHealthIndicator {
  constructor(
    @Inject(getSchedulerToken()) private readonly scheduler: Scheduler,
    @Inject(SCHEDULER_MODULE_OPTIONS) private readonly options: ResolvedSchedulerModuleOptions,
  ) {}

  /**
   * Checks the scheduler. `requireRunning` defaults to the module's `autoStart`, so that an instance
   * that never starts its loop (it only schedules) is not reported down for it.
   * @param key the key of the result (default `'scheduler'`).
   */
  async isHealthy<const Key extends string = 'scheduler'>(
    key: Key = 'scheduler' as Key,
    options: SchedulerHealthCheckOptions = {},
  ): Promise<SchedulerHealthIndicatorResult<Key>> {
    const report = await checkSchedulerHealth(this.scheduler, {
      ...options,
      requireRunning: options.requireRunning ?? this.options.autoStart,
    });
    const { loop } = report;
    const details: SchedulerHealthDetails = {
      status: report.healthy ? 'up' : 'down',
      ...(report.healthy ? {} : { message: report.problems.join('; ') }),
      instanceId: loop.instanceId,
      running: loop.running,
      storeReachable: report.storeReachable,
      storeLatencyMs: report.storeLatencyMs,
      lastPollAt: loop.lastPollAt?.toISOString() ?? null,
      lastPollAgeMs: loop.lastPollAgeMs,
      storeError: report.storeError,
      lastStoreError: loop.lastStoreError,
      consecutiveStoreErrors: loop.consecutiveStoreErrors,
      inFlight: loop.inFlight,
      oldestRunningMs: loop.oldestRunningMs,
      detachedRuns: loop.detachedRuns,
      pendingOutcomes: loop.pendingOutcomes,
      oldestPendingOutcomeMs: loop.oldestPendingOutcomeMs,
      lastOutcomeWriteError: loop.lastOutcomeWriteError,
    };
    return { [key]: details } as SchedulerHealthIndicatorResult<Key>;
  }
}
