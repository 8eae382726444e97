/**
 * `nestjs-durable-scheduler/prometheus`: the scheduler's Prometheus metrics. A separate entry point
 * because it imports `prom-client`, an optional peer dependency.
 */
export {
  DEFAULT_DUE_SCAN_LIMIT,
  DEFAULT_DURATION_BUCKETS,
  DEFAULT_LATENESS_BUCKETS,
  registerSchedulerMetrics,
  SchedulerMetrics,
  type SchedulerMetricsOptions,
} from './scheduler-metrics.js';
export { SchedulerMetricsModule, type SchedulerMetricsModuleOptions } from './scheduler-metrics.module.js';
export { countDueByKind, oldestDueAgeSeconds } from './due-tasks.js';
