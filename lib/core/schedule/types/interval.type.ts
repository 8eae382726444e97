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
  // Keeps the interval's phase: a run that overran, or a downtime, moves to the next slot of the grid.
  firstFireAfter: (spec, _trigger, anchor, now) => {
    const periods = Math.floor((now.getTime() - anchor.getTime()) / spec.everyMs) + 1;
    return new Date(anchor.getTime() + Math.max(1, periods) * spec.everyMs);
  },
};
