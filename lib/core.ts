/**
 * `nestjs-durable-scheduler/core`: the framework-free engine for plain Node apps. It holds everything
 * of the main entry that imports no Nest package (nor `reflect-metadata` or `rxjs`): the engine
 * (`StdScheduler`, triggers, backoffs, clocks, loggers, errors), the memory store, the built-in jobs,
 * the health check, and the Nest-free testing kit. The main entry re-exports all of it next to the
 * Nest module, so a Nest app keeps importing `nestjs-durable-scheduler`.
 */
export * from './core/index.js';
export type * from './core/store/job-store.js';
export * from './stores/memory/index.js';
export * from './jobs/index.js';
export {
  checkSchedulerHealth,
  DEFAULT_MAX_PENDING_OUTCOME_AGE_MS,
  DEFAULT_MAX_POLL_AGE_MS,
  DEFAULT_STORE_TIMEOUT_MS,
  type SchedulerHealthCheckOptions,
  type SchedulerHealthReport,
} from './nest/health/scheduler-health.check.js';
export * from './testing/kit.js';
