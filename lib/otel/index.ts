/**
 * `nestjs-durable-scheduler/otel`: the scheduler's tracing and metrics through OpenTelemetry. A
 * separate entry point because it imports `@opentelemetry/api`, an optional peer dependency.
 * Spans and metrics are recorded once the app registers an OpenTelemetry SDK (docs/opentelemetry.md).
 * @module
 */
export {
  DEFAULT_PARENT_WITHIN_MS,
  OpenTelemetryInstrumentation,
  type OpenTelemetryInstrumentationOptions,
} from './opentelemetry-instrumentation.js';
export {
  registerSchedulerOtelMetrics,
  type SchedulerOtelMetrics,
  type SchedulerOtelMetricsOptions,
} from './scheduler-otel-metrics.js';
export {
  INSTRUMENTATION_NAME,
  MESSAGING_SYSTEM,
  SchedulerAttributes,
  SchedulerSpanNames,
} from './attributes.js';
export { spanContextOf, traceContextOf } from './trace-context.js';
