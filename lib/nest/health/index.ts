export {
  checkSchedulerHealth,
  DEFAULT_MAX_POLL_AGE_MS,
  DEFAULT_MAX_PENDING_OUTCOME_AGE_MS,
  DEFAULT_STORE_TIMEOUT_MS,
  type SchedulerHealthCheckOptions,
  type SchedulerHealthReport,
} from './scheduler-health.check.js';
export {
  SchedulerHealthIndicator,
  type SchedulerHealthDetails,
  type SchedulerHealthIndicatorResult,
} from './scheduler-health.indicator.js';
