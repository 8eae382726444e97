import type { FactoryProvider, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { SchedulerLogger } from '../core/logger.js';
import type { SchedulerOptions } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';

/** Options of `SchedulerModule`: the engine's options plus what only the Nest module does. */
export interface SchedulerModuleOptions extends SchedulerOptions {
  /**
   * Start the loop at bootstrap. Default `true`. With `false` this instance still registers its
   * handlers, makes sure their recurring tasks exist and can schedule work, but runs nothing until
   * `SchedulerService.start()` (say, a web instance in front of a fleet of workers).
   */
  autoStart?: boolean;
  /** How long shutdown waits for running jobs before aborting their signals. Default 10 000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * Call `store.close()` in `beforeApplicationShutdown` (after every `onModuleDestroy`, before any
   * `onApplicationShutdown`, where TypeORM destroys its DataSource). Default `true`: `close()`
   * releases only what the store opened itself (never a pool or client you passed in). Set `false`
   * when the store outlives this application (shared with another app or a standalone scheduler in
   * the same process).
   */
  closeStore?: boolean;
}

/** What `forRootAsync` factories return: the store and the module options. */
export interface SchedulerRootOptions extends SchedulerModuleOptions {
  /** Where tasks live. */
  store: JobStore;
}

/** A class that builds the module options, for `forRootAsync({ useClass })` or `({ useExisting })`. */
export interface SchedulerOptionsFactory {
  createSchedulerOptions(): Promise<SchedulerRootOptions> | SchedulerRootOptions;
}

/** Options of `SchedulerModule.forRootAsync`: exactly one of `useFactory`, `useClass`, `useExisting`. */
export interface SchedulerModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Builds the options; its arguments are the providers named in `inject`. */
  useFactory?: (...args: never[]) => Promise<SchedulerRootOptions> | SchedulerRootOptions;
  /** Providers given to `useFactory`. */
  inject?: FactoryProvider['inject'];
  /** A class the module instantiates to build the options. */
  useClass?: Type<SchedulerOptionsFactory>;
  /** An existing provider (from `imports` or a global module) that builds the options. */
  useExisting?: Type<SchedulerOptionsFactory>;
  /** More providers for the module, visible to `useClass`. */
  extraProviders?: Provider[];
}

/** The module options with every default applied: what `SCHEDULER_MODULE_OPTIONS` holds. */
export interface ResolvedSchedulerModuleOptions extends SchedulerRootOptions {
  autoStart: boolean;
  shutdownTimeoutMs: number;
  closeStore: boolean;
  logger: SchedulerLogger;
}
