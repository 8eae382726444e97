import { SimpleTrigger } from '../simple-trigger.js';
import type { TriggerType } from '../trigger-type.js';
import type { IntervalScheduleSpec } from '../trigger.js';

/** `{ type: 'interval', everyMs }`: a fixed interval of real time (`@every 30s`, `{ every }`, `SimpleTrigger`). */
export const intervalTriggerType: TriggerType<IntervalScheduleSpec> = {
  type: 'interval',
  isSpec: (spec) => typeof spec.everyMs === 'number' && Number.isFinite(spec.everyMs) && spec.everyMs > 0,
  fromSpec: (spec) => new SimpleTrigger(spec.everyMs),
  key: (spec) => `interval\u0000${spec.everyMs}`,
  describe: (spec) => `every ${spec.everyMs} ms`,
  // Keeps the interval's phase: the next slot of the grid through the anchor (a run that overran, a
  // downtime, a backfill of a past window).
  fireAfter: (spec, _trigger, anchor, time) => {
    const periods = Math.floor((time.getTime() - anchor.getTime()) / spec.everyMs) + 1;
    return new Date(anchor.getTime() + periods * spec.everyMs);
  },
};
