/**
 * Misfires and overlaps, as pure functions (no clock, no store): what a recurring task does about
 * fires that passed while no instance ran it (the misfire policy), and about fires that came due
 * while its own run was still going (the overlap policy).
 */
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import type { MisfirePolicy, OverlapPolicy } from './scheduler.types.js';
import type { Trigger } from './schedule/trigger.js';
import { firstFireAfter } from './schedule/trigger-types.js';

/** A misfire policy, checked and in one shape. */
export type ResolvedMisfirePolicy =
  | { kind: 'fire-once' }
  | { kind: 'skip' }
  | { kind: 'catch-up'; maxFires: number | undefined; maxAgeMs: number | undefined };

/** Bound on how many missed fires are counted or walked through: past it, none is replayed. */
export const MISSED_FIRE_WALK_LIMIT = 100_000;

/** Bound on how many missed fires are counted for the `job.misfired` event. */
const MISSED_FIRE_COUNT_LIMIT = 1000;

/**
 * Checks a misfire policy and gives it one shape.
 * @throws InvalidArgumentError for anything but `'fire-once'`, `'catch-up'`, `'skip'` or
 *   `{ catchUp: { maxFires?, maxAgeMs? } }` with whole numbers >= 0.
 */
export function resolveMisfirePolicy(policy: MisfirePolicy | undefined): ResolvedMisfirePolicy {
  if (policy === undefined || policy === 'fire-once') return { kind: 'fire-once' };
  if (policy === 'skip') return { kind: 'skip' };
  if (policy === 'catch-up') return { kind: 'catch-up', maxFires: undefined, maxAgeMs: undefined };
  const bounds = (policy as { catchUp?: unknown } | null)?.catchUp as
    { maxFires?: unknown; maxAgeMs?: unknown } | undefined;
  if (typeof policy !== 'object' || policy === null || typeof bounds !== 'object' || bounds === null) {
    throw new InvalidArgumentError(
      'misfirePolicy',
      "must be 'fire-once', 'catch-up', 'skip' or { catchUp: { maxFires?, maxAgeMs? } }",
    );
  }
  for (const name of ['maxFires', 'maxAgeMs'] as const) {
    const value = bounds[name];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
      throw new InvalidArgumentError(`misfirePolicy.catchUp.${name}`, 'must be a whole number >= 0');
    }
  }
  return {
    kind: 'catch-up',
    maxFires: bounds.maxFires as number | undefined,
    maxAgeMs: bounds.maxAgeMs as number | undefined,
  };
}

/** A policy as given, or already resolved. */
function asResolved(policy: MisfirePolicy | ResolvedMisfirePolicy): ResolvedMisfirePolicy {
  return typeof policy === 'object' && policy !== null && 'kind' in policy
    ? policy
    : resolveMisfirePolicy(policy);
}

/** The policy's name, as events and metrics report it. */
export function misfirePolicyName(policy: ResolvedMisfirePolicy): 'fire-once' | 'skip' | 'catch-up' {
  return policy.kind;
}

/** Whether a first attempt must look for missed fires before it runs (to skip, or to bound a catch-up). */
export function looksForMisfires(policy: ResolvedMisfirePolicy): boolean {
  return (
    policy.kind === 'skip' ||
    (policy.kind === 'catch-up' && (policy.maxFires !== undefined || policy.maxAgeMs !== undefined))
  );
}

/** What to do with a claimed recurring task before it runs, given the fires it missed. */
export type MisfireDecision =
  /** Run it (on time, or the policy runs this fire). `missedFires` may be more than 0. */
  | { action: 'run'; missedFires: number }
  /** Do not run this fire; move on to `next` (`null`: the trigger has no further fire). */
  | { action: 'skip'; missedFires: number; next: Date | null };

/**
 * The misfire decision: how many fires after `scheduledAt` are already due at `now`, and whether the
 * policy runs the task, skips to the first fire after now (`skip`), or (a bounded `catch-up`) moves
 * to the first fire it still replays. Only a first attempt can misfire: a retry runs when its
 * backoff says.
 */
export function decideMisfire(
  trigger: Trigger,
  scheduledAt: Date,
  now: Date,
  policy: ResolvedMisfirePolicy,
): MisfireDecision {
  const missedFires = countMissedFires(trigger, scheduledAt, now);
  if (missedFires === 0 && policy.kind !== 'catch-up') return { action: 'run', missedFires };
  if (policy.kind === 'skip')
    return { action: 'skip', missedFires, next: firstFireAfter(trigger, scheduledAt, now) };
  if (policy.kind === 'fire-once') return { action: 'run', missedFires };
  const start = replayStart(trigger, scheduledAt, now, policy);
  if (start === null) return { action: 'skip', missedFires, next: firstFireAfter(trigger, scheduledAt, now) };
  if (start.getTime() > scheduledAt.getTime()) return { action: 'skip', missedFires, next: start };
  return { action: 'run', missedFires };
}

/**
 * The fire after the one that ran at `scheduledAt`. With `catch-up` that is the trigger's next fire
 * even if it is already past (bounded by `maxFires` / `maxAgeMs`: only the last that many, or those
 * newer than that age, are replayed); otherwise the first fire after now, so that a run that
 * overran its period, or a long downtime, yields one run rather than a burst. Always strictly after
 * `scheduledAt`, so that one fire never runs twice.
 */
export function nextRegularFire(
  trigger: Trigger,
  scheduledAt: Date,
  now: Date,
  policy: MisfirePolicy | ResolvedMisfirePolicy,
): Date | null {
  const resolved = asResolved(policy);
  const next = trigger.nextFireTime(scheduledAt);
  if (next === null || next > now) return next;
  if (resolved.kind !== 'catch-up') return firstFireAfter(trigger, scheduledAt, now);
  const start = replayStart(trigger, next, now, resolved);
  return start ?? firstFireAfter(trigger, scheduledAt, now);
}

/**
 * The `buffer-one` overlap: when a fire came due while the run (started at `startedAt`) was going,
 * the latest such fire, to run once more right away; `null` when none did (or the policy is `skip`).
 */
export function bufferedFire(
  trigger: Trigger,
  scheduledAt: Date,
  startedAt: Date,
  now: Date,
  overlap: OverlapPolicy,
): Date | null {
  if (overlap !== 'buffer-one') return null;
  let fire = firstFireAfter(trigger, scheduledAt, startedAt);
  let latest: Date | null = null;
  for (let walked = 0; fire !== null && fire <= now && walked < MISSED_FIRE_WALK_LIMIT; walked++) {
    latest = fire;
    fire = trigger.nextFireTime(fire);
  }
  return latest;
}

/**
 * Of the due fires from `first` (itself due) up to `now`, the first one a bounded catch-up replays:
 * the last `maxFires` of them, and only those newer than `maxAgeMs`. `null` when it replays none.
 */
export function replayStart(
  trigger: Trigger,
  first: Date,
  now: Date,
  policy: Extract<ResolvedMisfirePolicy, { kind: 'catch-up' }>,
): Date | null {
  let start: Date | null = first;
  if (policy.maxAgeMs !== undefined) {
    const oldest = now.getTime() - policy.maxAgeMs;
    // The first fire at or after `oldest`, on the schedule's grid (an interval keeps its phase).
    if (start.getTime() < oldest) start = firstFireAfter(trigger, first, new Date(oldest - 1));
    if (start === null || start > now) return null;
  }
  if (policy.maxFires === undefined) return start;
  if (policy.maxFires === 0) return null;
  // The last maxFires fires up to now, in a ring; past the walk limit, none is replayed.
  const size = Math.min(policy.maxFires, MISSED_FIRE_WALK_LIMIT);
  const ring = new Array<Date>(size);
  let walked = 0;
  for (let fire: Date | null = start; fire !== null && fire <= now; fire = trigger.nextFireTime(fire)) {
    if (walked >= MISSED_FIRE_WALK_LIMIT) return null;
    ring[walked % size] = fire;
    walked++;
  }
  if (walked === 0) return null;
  return ring[walked <= size ? 0 : walked % size];
}

/**
 * How many fires after `scheduledAt` are already due at `now` (0 when the task is on time).
 * A task with at least one is *misfired*: it missed its window while no instance ran it.
 */
export function countMissedFires(trigger: Trigger, scheduledAt: Date, now: Date): number {
  let count = 0;
  let fire = trigger.nextFireTime(scheduledAt);
  while (fire !== null && fire <= now && count < MISSED_FIRE_COUNT_LIMIT) {
    count++;
    fire = trigger.nextFireTime(fire);
  }
  return count;
}
