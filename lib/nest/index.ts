export { SchedulerModule } from './scheduler.module.js';
export { SchedulerService, type JobKindRef } from './scheduler.service.js';
export {
  JobHandler,
  type JobHandlerOptions,
  type JobHandlerMetadata,
  type JobHandlerInstance,
  type JobHandlerClass,
} from './job-handler.decorator.js';
export { InjectScheduler } from './inject-scheduler.decorator.js';
export { getSchedulerToken } from './scheduler.constants.js';
export type {
  SchedulerModuleOptions,
  SchedulerRootOptions,
  SchedulerModuleAsyncOptions,
  SchedulerOptionsFactory,
} from './scheduler-module-options.interface.js';
export { SCHEDULER_EVENT_NAMES, SCHEDULER_EVENT_PREFIX, schedulerEventName } from './events/index.js';
export {
  checkSchedulerHealth,
  DEFAULT_MAX_POLL_AGE_MS,
  DEFAULT_MAX_PENDING_OUTCOME_AGE_MS,
  DEFAULT_STORE_TIMEOUT_MS,
  SchedulerHealthIndicator,
  type SchedulerHealthCheckOptions,
  type SchedulerHealthDetails,
  type SchedulerHealthIndicatorResult,
  type SchedulerHealthReport,
} from './health/index.js';
export * from './errors/invalid-job-handler.error.js';
export { SchedulerExceptionFilter, toHttpException } from './scheduler-exception.filter.js';
