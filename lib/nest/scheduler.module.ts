import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import { StdScheduler } from '../core/scheduler.js';
import type { Scheduler } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';
import { SchedulerEventBridge } from './events/scheduler-event-bridge.js';
import { SchedulerHealthIndicator } from './health/scheduler-health.indicator.js';
import { JobHandlerExplorer } from './job-handler.explorer.js';
import { SchedulerMetadataAccessor } from './scheduler-metadata.accessor.js';
import { resolveModuleOptions, toEngineOptions } from './scheduler-module-options.js';
import type {
  ResolvedSchedulerModuleOptions,
  SchedulerModuleAsyncOptions,
  SchedulerModuleOptions,
  SchedulerOptionsFactory,
} from './scheduler-module-options.interface.js';
import { getSchedulerToken, SCHEDULER_MODULE_OPTIONS } from './scheduler.constants.js';
import { SchedulerOrchestrator } from './scheduler.orchestrator.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * The durable scheduler as a global Nest module: registers every `@JobHandler` provider, makes sure
 * their recurring tasks exist, runs the loop from bootstrap to shutdown, and exports
 * `SchedulerService` (and the raw engine under `getSchedulerToken()`) and `SchedulerHealthIndicator`.
 * When `@nestjs/event-emitter` is installed and its `EventEmitterModule` imported, every engine event
 * is also emitted there as `scheduler.<name>`.
 */
@Module({})
export class SchedulerModule {
  /**
   * ```ts
   * SchedulerModule.forRoot(new MemoryStore(), { maxConcurrency: 5 })
   * ```
   */
  static forRoot(store: JobStore, options: SchedulerModuleOptions = {}): DynamicModule {
    const resolved = resolveModuleOptions({ ...options, store });
    return this.assemble([{ provide: SCHEDULER_MODULE_OPTIONS, useValue: resolved }]);
  }

  /**
   * Options (the store among them) built at bootstrap by a factory, a class or an existing provider:
   * ```ts
   * SchedulerModule.forRootAsync({
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ store: new MemoryStore(), leaseMs: config.get('LEASE_MS') }),
   * })
   * ```
   */
  static forRootAsync(options: SchedulerModuleAsyncOptions): DynamicModule {
    return this.assemble(
      [...this.createAsyncProviders(options), ...(options.extraProviders ?? [])],
      options.imports ?? [],
    );
  }

  private static assemble(
    optionsProviders: Provider[],
    imports: DynamicModule['imports'] = [],
  ): DynamicModule {
    const schedulerProvider: Provider = {
      provide: getSchedulerToken(),
      // No store.init() here: the engine runs it before its first store call.
      useFactory: (options: ResolvedSchedulerModuleOptions): Scheduler =>
        new StdScheduler(options.store, toEngineOptions(options)),
      inject: [SCHEDULER_MODULE_OPTIONS],
    };
    return {
      global: true,
      module: SchedulerModule,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...optionsProviders,
        schedulerProvider,
        SchedulerMetadataAccessor,
        SchedulerOrchestrator,
        JobHandlerExplorer,
        SchedulerService,
        SchedulerEventBridge,
        SchedulerHealthIndicator,
      ],
      // The options (with the store) are exported for companion modules such as SchedulerMetricsModule.
      exports: [SchedulerService, getSchedulerToken(), SchedulerHealthIndicator, SCHEDULER_MODULE_OPTIONS],
    };
  }

  private static createAsyncProviders(options: SchedulerModuleAsyncOptions): Provider[] {
    if (options.useFactory || options.useExisting) return [this.createAsyncOptionsProvider(options)];
    if (options.useClass) {
      return [
        this.createAsyncOptionsProvider(options),
        { provide: options.useClass, useClass: options.useClass },
      ];
    }
    throw new InvalidArgumentError(
      'SchedulerModule.forRootAsync options',
      'give one of useFactory, useClass or useExisting',
    );
  }

  private static createAsyncOptionsProvider(options: SchedulerModuleAsyncOptions): Provider {
    const { useFactory } = options;
    if (useFactory) {
      return {
        provide: SCHEDULER_MODULE_OPTIONS,
        useFactory: async (...args: never[]) => resolveModuleOptions(await useFactory(...args)),
        inject: options.inject ?? [],
      };
    }
    return {
      provide: SCHEDULER_MODULE_OPTIONS,
      useFactory: async (factory: SchedulerOptionsFactory) =>
        resolveModuleOptions(await factory.createSchedulerOptions()),
      inject: [
        (options.useClass ?? options.useExisting) as NonNullable<SchedulerModuleAsyncOptions['useClass']>,
      ],
    };
  }
}
