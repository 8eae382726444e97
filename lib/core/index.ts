export * from './errors/index.js';
export type { Job, JobContext, JobResult, JobState, ScheduledJob, StoreTask, TraceContext } from './job.js';
export { MAX_TRACE_CONTEXT_BYTES, MAX_TRACE_CONTEXT_ENTRIES } from './arguments.js';
export type {
  ClaimBatchInfo,
  ExecutionEnd,
  ExecutionInfo,
  ExecutionScope,
  ScheduleInfo,
  ScheduleOperation,
  SchedulerInstrumentation,
  SettleBatchInfo,
} from './instrumentation.js';
export type { JsonValue, Payload } from './payload.js';
export { assertStorablePayload } from './payload.js';
export { SystemClock, VirtualClock, type Clock } from './clock.js';
export { consoleLogger, silentLogger, type SchedulerLogger } from './logger.js';
export type { Backoff, BackoffFunction } from './backoff.types.js';
export * from './backoff.js';
export * from './schedule/index.js';
export type * from './scheduler.types.js';
export type * from './events.js';
export { StdScheduler } from './scheduler.js';
export { jobState, scheduledJobOf, stateOf } from './job-state.js';
export { decideOutcome, type Decision, type OutcomeInput, type RunResult } from './outcome.js';
export {
  decideMisfire,
  nextRegularFire,
  resolveMisfirePolicy,
  type MisfireDecision,
  type ResolvedMisfirePolicy,
} from './misfire.js';
export {
  DEFAULT_INSTANCE_PUBLISH_MS,
  INSTANCE_LIVE_WINDOW_MS,
  INSTANCE_RECORD_TTL_MS,
} from './instance-publisher.js';
