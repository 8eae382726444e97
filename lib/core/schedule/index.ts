export type {
  Trigger,
  ScheduleSpec,
  CronScheduleSpec,
  IntervalScheduleSpec,
  CustomScheduleSpec,
} from './trigger.js';
export { isCronSpec, isIntervalSpec } from './trigger.js';
export type { TriggerType } from './trigger-type.js';
export { registerTriggerType, triggerFromSpec, sameSpec, describeSpec } from './trigger-types.js';
export { CronTrigger, type CronTriggerOptions } from './cron-trigger.js';
export { SimpleTrigger } from './simple-trigger.js';
export { parseDuration, formatDuration } from './duration.js';
export { CRON_SHORTCUTS } from './cron-syntax.js';
export { toTrigger, specOf, isTrigger } from './schedule-spec.js';
