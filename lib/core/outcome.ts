import type { Backoff } from './backoff.types.js';
import type { JobResult, StoreTask } from './job.js';
import type { Payload } from './payload.js';
import type { OutcomeChange } from './store/job-store.js';
import { bufferedFire, nextRegularFire, type ResolvedMisfirePolicy } from './misfire.js';
import type { MisfirePolicy, OverlapPolicy } from './scheduler.types.js';
import type { Trigger } from './schedule/trigger.js';

/**
 * How a run ended, as the executor saw it. A failure may carry what the job threw (`thrown`), for
 * instrumentation; the outcome rules read only `error`.
 */
export type RunResult = { ok: true; returned: JobResult } | { ok: false; error: string; thrown?: unknown };

/** Everything {@link decideOutcome} needs: no clock, no store. */
export interface OutcomeInput {
  /** The task as it was claimed. */
  task: StoreTask;
  run: RunResult;
  /** The task's effective trigger: its own schedule, else its kind's; `null` for a one-time task. */
  trigger: Trigger | null;
  backoff: Backoff;
  maxRetries: number | undefined;
  misfirePolicy: MisfirePolicy | ResolvedMisfirePolicy;
  /** What a recurring task does with fires that came due during this run. Default `skip`. */
  overlap?: OverlapPolicy;
  /** When the run started (for the overlap policy). Default: when it was due. */
  startedAt?: Date;
  /** When the run ended. */
  now: Date;
}

/** What to write after a run (the store's {@link OutcomeChange}), and what to tell listeners. */
export type Decision =
  | (Extract<OutcomeChange, { type: 'delete' }> & { event: 'succeeded' | 'removed' | 'finished' })
  | (Extract<OutcomeChange, { type: 'reschedule' }> & { event: 'succeeded' | 'retrying' | 'dead' });

/**
 * The outcome rules, as a pure function:
 * - success (nothing or the task returned): a recurring task moves to its next fire (retry reset,
 *   result from the returned task), a one-time task is deleted; a returned task whose `runAt` was moved
 *   later is rescheduled at that time instead; a returned task's payload is stored.
 * - `null`: the task is deleted.
 * - failure: retried after the backoff; past `maxRetries` a one-time task is kept as failed and a
 *   recurring task gives up that fire and moves on to its next regular fire.
 * A recurring trigger that has no next fire ends the task.
 */
export function decideOutcome(input: OutcomeInput): Decision {
  const { task, run, trigger, now } = input;
  if (run.ok) {
    const returned = run.returned;
    if (returned === null) return { type: 'delete', event: 'removed' };
    const result = returned && returned.result !== task.result ? returned.result : null;
    const payload = returned ? returned.payload : undefined;
    const movedTo = returned && returned.runAt > task.runAt ? returned.runAt : null;
    if (trigger) {
      const next = followingFire(input, trigger);
      const runAt = movedTo && (next === null || movedTo > next) ? movedTo : next;
      if (runAt === null) return { type: 'delete', event: 'finished' };
      return withPayload(
        { type: 'reschedule', runAt, retry: 0, result, failed: false, event: 'succeeded' },
        payload,
      );
    }
    if (movedTo) {
      return withPayload(
        { type: 'reschedule', runAt: movedTo, retry: 0, result, failed: false, event: 'succeeded' },
        payload,
      );
    }
    return { type: 'delete', event: 'succeeded' };
  }

  const retry = task.retry + 1;
  if (input.maxRetries === undefined || retry <= input.maxRetries) {
    const runAt = new Date(now.getTime() + Math.max(0, input.backoff.delayMs(retry)));
    return { type: 'reschedule', runAt, retry, result: run.error, failed: false, event: 'retrying' };
  }
  if (trigger) {
    const next = followingFire(input, trigger);
    if (next === null)
      return { type: 'reschedule', runAt: task.runAt, retry, result: run.error, failed: true, event: 'dead' };
    return { type: 'reschedule', runAt: next, retry: 0, result: run.error, failed: false, event: 'dead' };
  }
  return { type: 'reschedule', runAt: task.runAt, retry, result: run.error, failed: true, event: 'dead' };
}

type Reschedule = Extract<Decision, { type: 'reschedule' }>;

function withPayload(decision: Reschedule, payload: Payload | undefined): Reschedule {
  if (payload !== undefined) decision.payload = payload;
  return decision;
}

/** The fire a recurring task moves on to after a run: a fire buffered by the overlap policy, else its next regular fire. */
function followingFire(input: OutcomeInput, trigger: Trigger): Date | null {
  const { task, now } = input;
  const buffered = bufferedFire(
    trigger,
    task.runAt,
    input.startedAt ?? task.runAt,
    now,
    input.overlap ?? 'skip',
  );
  return buffered ?? nextRegularFire(trigger, task.runAt, now, input.misfirePolicy);
}
