import { Logger } from '@nestjs/common';
import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import type { SchedulerOptions } from '../core/scheduler.types.js';
import { DEFAULT_LOGGER_CONTEXT, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './scheduler.constants.js';
import type {
  ResolvedSchedulerModuleOptions,
  SchedulerRootOptions,
} from './scheduler-module-options.interface.js';

/**
 * Applies the module's defaults. `forRoot` and `forRootAsync` both go through here, so that the two
 * paths cannot drift apart.
 */
export function resolveModuleOptions(options: SchedulerRootOptions): ResolvedSchedulerModuleOptions {
  if (!options || typeof options.store !== 'object' || options.store === null) {
    throw new InvalidArgumentError(
      'SchedulerModule store',
      'a JobStore instance is required (for example new MemoryStore())',
    );
  }
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isFinite(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    throw new InvalidArgumentError(
      'shutdownTimeoutMs',
      `${shutdownTimeoutMs} is not a duration in ms (>= 0)`,
    );
  }
  return {
    ...options,
    autoStart: options.autoStart ?? true,
    shutdownTimeoutMs,
    closeStore: options.closeStore ?? true,
    // Through Nest's Logger, so that lines follow the app's logger (app.useLogger, bufferLogs, …).
    logger: options.logger ?? new Logger(DEFAULT_LOGGER_CONTEXT),
  };
}

/** The engine's share of the module options. */
export function toEngineOptions(options: ResolvedSchedulerModuleOptions): SchedulerOptions {
  const { store: _store, autoStart: _a, shutdownTimeoutMs: _s, closeStore: _c, ...engineOptions } = options;
  return engineOptions;
}
