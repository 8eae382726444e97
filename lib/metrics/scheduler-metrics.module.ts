import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Scheduler } from '../core/scheduler.types.js';
import type { ResolvedSchedulerModuleOptions } from '../nest/scheduler-module-options.interface.js';
import { getSchedulerToken, SCHEDULER_MODULE_OPTIONS } from '../nest/scheduler.constants.js';
import {
  registerSchedulerMetrics,
  SchedulerMetrics,
  type SchedulerMetricsOptions,
} from './scheduler-metrics.js';

/** Options of `SchedulerMetricsModule.forRoot`: the store and the clock come from `SchedulerModule`. */
export type SchedulerMetricsModuleOptions = Omit<SchedulerMetricsOptions, 'store' | 'clock'>;

/** Removes the metrics when the application shuts down, after the scheduler has stopped. */
@Injectable()
class SchedulerMetricsDisposer implements OnApplicationShutdown {
  constructor(private readonly metrics: SchedulerMetrics) {}

  onApplicationShutdown(): void {
    this.metrics.dispose();
  }
}

/**
 * The scheduler's Prometheus metrics in a Nest application (next to `SchedulerModule`). Global; it
 * exports `SchedulerMetrics`, whose `registry` a `/metrics` controller serves.
 *
 * ```ts
 * @Module({
 *   imports: [
 *     SchedulerModule.forRoot(new MemoryStore()),
 *     SchedulerMetricsModule.forRoot({ registry: new Registry() }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class SchedulerMetricsModule {
  /** Registers the metrics of `SchedulerModule`'s scheduler (its store and clock included). */
  static forRoot(options: SchedulerMetricsModuleOptions = {}): DynamicModule {
    return {
      global: true,
      module: SchedulerMetricsModule,
      providers: [
        {
          provide: SchedulerMetrics,
          // Built before bootstrap starts the loop, so that no run is missed.
          useFactory: (scheduler: Scheduler, moduleOptions: ResolvedSchedulerModuleOptions) =>
            registerSchedulerMetrics(scheduler, {
              ...options,
              store: moduleOptions.store,
              clock: moduleOptions.clock,
            }),
          inject: [getSchedulerToken(), SCHEDULER_MODULE_OPTIONS],
        },
        SchedulerMetricsDisposer,
      ],
      exports: [SchedulerMetrics],
    };
  }
}
