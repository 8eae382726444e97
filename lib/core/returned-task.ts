import { isStorableDate, MAX_DATE, MIN_DATE } from './arguments.js';
import { boundedText, errorMessage } from './error-text.js';
import type { JobResult, StoreTask } from './job.js';
import { assertStorablePayload } from './payload.js';

/** What a job's return value means once checked: the task it returned (or none), or why it is refused. */
export type CheckedReturn = { ok: true; returned: JobResult } | { ok: false; error: string };

/**
 * Checks what a job returned before it reaches a store, with the same rules on every store: nothing,
 * `null`, or the task, whose `runAt` (if changed) is a Date every store holds, whose `result` is a
 * string or null (cut to the error text limit), and whose `payload` is storable. A bad return fails
 * that run with a clear reason (the usual retry rules apply); it never reaches the store, where it
 * would fail a whole batch of outcomes.
 */
export function checkReturned(value: unknown, claimed: StoreTask): CheckedReturn {
  if (value === undefined || value === null) return { ok: true, returned: value };
  try {
    if (typeof value !== 'object') return refuse(`it returned a ${typeof value}`);
    const task = value as Partial<Record<keyof StoreTask, unknown>>;
    const runAt: unknown = task.runAt;
    if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) {
      return refuse('the returned task has no valid runAt Date');
    }
    if (!isStorableDate(runAt)) {
      return refuse(
        `the returned runAt ${runAt.toISOString()} is outside ${MIN_DATE.toISOString()}..${MAX_DATE.toISOString()}`,
      );
    }
    const result = task.result;
    if (result !== undefined && result !== null && typeof result !== 'string') {
      return refuse(`the returned result is a ${typeof result}, not a string or null`);
    }
    const payload = task.payload === undefined ? claimed.payload : task.payload;
    assertStorablePayload(payload);
    return {
      ok: true,
      returned: {
        ...claimed,
        runAt,
        payload,
        result: typeof result === 'string' ? boundedText(result) : null,
      },
    };
  } catch (error) {
    return refuse(errorMessage(error));
  }
}

function refuse(reason: string): CheckedReturn {
  return {
    ok: false,
    error: `The job returned a value the scheduler cannot store: ${reason}. A job returns its task (changed or not), null, or nothing.`,
  };
}
