/**
 * The run loop's planning, as pure functions (no clock, no store, no timers): after each claim, and
 * after each look at when the next task is due, what the loop does next. The loop itself only
 * performs the steps; every decision that makes an idle instance cheap and a busy one fast is here,
 * where it is tested alone.
 */

/** What the loop remembers from one turn to the next. */
export interface LoopMemory {
  /** The last answer of `nextRun` (ms since epoch; `null`: nothing due ever); `undefined`: unknown. */
  knownNext: number | null | undefined;
  /** Claims in a row that found nothing although something was due. */
  emptyDue: number;
  /** Failed store calls in a row (the backoff grows with them). */
  storeErrors: number;
}

/** The memory of a loop that has just started. */
export const FRESH_LOOP: LoopMemory = { knownNext: undefined, emptyDue: 0, storeErrors: 0 };

/** What the loop does next. */
export type LoopStep =
  /** Claim again at once: the last batch was full, or something fell due meanwhile. */
  | { mode: 'claim-again' }
  /** Ask the store when the next task is due. */
  | { mode: 'read-next-due' }
  /**
   * Sleep `ms` (a wake-up ends it early): until the next task is due (`until-due`), for the poll
   * interval (`heartbeat`), a little after a claim that found nothing although something was due
   * (`empty-due`), or after a store error (`store-error`).
   */
  | { mode: 'sleep'; ms: number; why: 'until-due' | 'heartbeat' | 'empty-due' | 'store-error' };

/** What every plan reads: the loop's settings and the time. */
export interface PlanInput {
  now: number;
  pollMs: number;
  /** The store pushes wake-ups for every change (PostgreSQL NOTIFY, a shared memory store). */
  pushesWakeUps: boolean;
}

/** Backoff between retries of a failed store call: 100 ms doubling to 30 s. */
export function storeRetryDelay(attempt: number): number {
  return Math.min(30_000, 100 * 2 ** Math.min(attempt, 20));
}

/**
 * After a claim. A full batch claims again at once. A heartbeat (the last sleep ran its full course,
 * nothing woke the loop) that found nothing, on a store that pushes wake-ups, can trust the next due
 * time it read before: it sleeps toward it without asking again, so an idle instance costs one query
 * per heartbeat. Otherwise the loop reads the next due time.
 */
export function planAfterClaim(
  memory: LoopMemory,
  claim: { claimed: number; full: boolean } | { error: true },
  input: PlanInput & { heartbeat: boolean },
): { step: LoopStep; memory: LoopMemory } {
  if ('error' in claim) {
    return {
      step: { mode: 'sleep', ms: storeRetryDelay(memory.storeErrors), why: 'store-error' },
      memory: { ...memory, storeErrors: memory.storeErrors + 1 },
    };
  }
  const next: LoopMemory = { ...memory, storeErrors: 0 };
  if (claim.full) return { step: { mode: 'claim-again' }, memory: next };
  const trust =
    input.pushesWakeUps && input.heartbeat && claim.claimed === 0 && memory.knownNext !== undefined;
  if (trust) {
    const ms =
      memory.knownNext === null
        ? input.pollMs
        : Math.min(input.pollMs, (memory.knownNext as number) - input.now);
    if (ms > 0) {
      return {
        step: { mode: 'sleep', ms, why: ms === input.pollMs ? 'heartbeat' : 'until-due' },
        memory: { ...next, emptyDue: 0 },
      };
    }
  }
  return { step: { mode: 'read-next-due' }, memory: next };
}

/**
 * After reading when the next task is due. Due already: claim again at once, unless the claim just
 * before found nothing although something was due twice in a row (another instance took it, or the
 * store's clock is a hair behind ours): then back off a little, doubling, instead of spinning.
 * Otherwise sleep until it is due, at most the poll interval.
 */
export function planAfterNextDue(
  memory: LoopMemory,
  answer: { next: number | null } | { error: true },
  claimed: number,
  input: PlanInput,
): { step: LoopStep; memory: LoopMemory } {
  if ('error' in answer) {
    return {
      step: { mode: 'sleep', ms: storeRetryDelay(memory.storeErrors), why: 'store-error' },
      memory: { ...memory, knownNext: undefined, emptyDue: 0, storeErrors: memory.storeErrors + 1 },
    };
  }
  const next: LoopMemory = { ...memory, knownNext: answer.next, storeErrors: 0 };
  const untilDue = answer.next === null ? Infinity : answer.next - input.now;
  if (untilDue > 0) {
    const ms = Math.min(input.pollMs, untilDue);
    return {
      step: { mode: 'sleep', ms, why: ms === input.pollMs ? 'heartbeat' : 'until-due' },
      memory: { ...next, emptyDue: 0 },
    };
  }
  if (claimed > 0) return { step: { mode: 'claim-again' }, memory: next };
  if (memory.emptyDue === 0) return { step: { mode: 'claim-again' }, memory: { ...next, emptyDue: 1 } };
  const emptyDue = memory.emptyDue + 1;
  return {
    step: { mode: 'sleep', ms: Math.min(input.pollMs, 2 ** Math.min(emptyDue, 10)), why: 'empty-due' },
    memory: { ...next, emptyDue },
  };
}
