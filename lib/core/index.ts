export * from './errors/index.js';
export type { Job, JobContext, JobResult, JobState, ScheduledJob, StoreTask, TraceContext } from './job.js';
export {
  MAX_CONCURRENCY_KEY_BYTES,
  MAX_PRIORITY,
  MAX_TRACE_CONTEXT_BYTES,
  MAX_TRACE_CONTEXT_ENTRIES,
  MIN_PRIORITY,
} from './arguments.js';
export {
  ClaimBudget,
  MAX_CONCURRENCY_LIMIT,
  MAX_RATE_LIMIT_MAX,
  MAX_RATE_LIMIT_PER_MS,
  type ClaimLimits,
  type KindLimits,
  type KindUsage,
  type RateLimit,
} from './store/claim-limits.js';
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
