export type { Trigger, ScheduleSpec, CronScheduleSpec, IntervalScheduleSpec } from './trigger.js';
export { CronTrigger, type CronTriggerOptions } from './cron-trigger.js';
export { SimpleTrigger } from './simple-trigger.js';
export { parseDuration, formatDuration } from './duration.js';
export { CRON_SHORTCUTS } from './cron-syntax.js';
export { triggerFromSpec, toTrigger, specOf, sameSpec, isTrigger } from './schedule-spec.js';
