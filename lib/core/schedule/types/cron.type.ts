import { CronTrigger } from '../cron-trigger.js';
import type { TriggerType } from '../trigger-type.js';
import type { CronScheduleSpec } from '../trigger.js';

/** `{ type: 'cron', expression, timeZone }`: a cron expression in an IANA zone (UTC when absent). */
export const cronTriggerType: TriggerType<CronScheduleSpec> = {
  type: 'cron',
  isSpec: (spec) =>
    typeof spec.expression === 'string' && (spec.timeZone === undefined || typeof spec.timeZone === 'string'),
  fromSpec: (spec) => new CronTrigger(spec.expression, { timeZone: spec.timeZone ?? 'UTC' }),
  key: (spec) => `cron\u0000${spec.expression}\u0000${spec.timeZone ?? 'UTC'}`,
  describe: (spec) => `"${spec.expression}" (${spec.timeZone ?? 'UTC'})`,
};
