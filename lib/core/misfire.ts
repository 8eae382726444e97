import { countMissedFires } from './outcome.js';
import { firstFireAfter } from './schedule/trigger-types.js';
import type { MisfirePolicy } from './scheduler.types.js';
import type { Trigger } from './schedule/trigger.js';

/** What to do with a claimed recurring task before it runs, given the fires it missed. */
export type MisfireDecision =
  /** On time (or the policy runs it anyway): run it. `missedFires` may be more than 0. */
  | { action: 'run'; missedFires: number }
  /** `skip`: do not run this fire; move on to `next` (`null`: the trigger has no further fire). */
  | { action: 'skip'; missedFires: number; next: Date | null };

/**
 * The misfire decision, as a pure function (no clock, no store): how many fires after
 * `scheduledAt` are already due at `now`, and whether the policy runs the task or skips to the
 * first fire after now. Only a first attempt can misfire: a retry runs when its backoff says.
 */
export function decideMisfire(
  trigger: Trigger,
  scheduledAt: Date,
  now: Date,
  policy: MisfirePolicy,
): MisfireDecision {
  const missedFires = countMissedFires(trigger, scheduledAt, now);
  if (missedFires === 0 || policy !== 'skip') return { action: 'run', missedFires };
  return { action: 'skip', missedFires, next: firstFireAfter(trigger, scheduledAt, now) };
}
