/**
 * The behaviours a fault-suite job can be told to have (carried as data in its task's payload and
 * performed by test/fault/fixtures/hostile-jobs.mjs), and what each one promises about the fate of
 * its task: issue #9, item 2 ("nothing a job throws or returns crashes the process; a bad return
 * fails that execution with a clear reason, normal retry rules").
 */

export const THROWN_VALUES = [
  'error',
  'string',
  'bigint',
  'cyclic',
  'toJSON-throws',
  'proxy',
  'undefined',
  'null',
  'symbol',
  'huge',
  'message-getter-throws',
  'sync',
] as const;

export const RETURNED_VALUES = [
  'task',
  'null',
  'zero',
  'string',
  'result-number',
  'result-object',
  'runAt-invalid',
  'runAt-year-10000',
  'runAt-string',
  'payload-bigint',
  'payload-huge',
  'proxy',
  'later',
] as const;

export type ThrownValue = (typeof THROWN_VALUES)[number];
export type ReturnedValue = (typeof RETURNED_VALUES)[number];

/** What a job does, as data. */
export type Behaviour =
  | { do: 'ok' }
  | { do: 'throw'; value: ThrownValue }
  | { do: 'return'; value: ReturnedValue }
  | { do: 'hang'; ms: number; onAbort: 'throw' | 'return' | 'ignore' };

/**
 * How an uninterrupted run of the behaviour ends, by the promised rules:
 * - `success`: the run succeeded (a one-time task is then gone, a recurring one moves on);
 * - `later`: it succeeded and moved its task on by an hour;
 * - `remove`: it returned `null` (the task is removed);
 * - `failure`: it failed (retried, then kept as failed);
 * - `either`: an odd return (`0`, a string) or a payload a store may refuse (2.4 MB): the rules do
 *   not say; only crash-freedom, no loss and no stuck task are checked.
 */
export type Fate = 'success' | 'later' | 'remove' | 'failure' | 'either';

const RETURN_FATES: Record<ReturnedValue, Fate> = {
  task: 'success',
  null: 'remove',
  zero: 'either',
  string: 'either',
  'result-number': 'failure',
  'result-object': 'failure',
  'runAt-invalid': 'failure',
  'runAt-year-10000': 'failure',
  'runAt-string': 'failure',
  'payload-bigint': 'failure',
  'payload-huge': 'either',
  proxy: 'failure',
  later: 'later',
};

/** The fate of a run of `behaviour`; a hang longer than the kind's timeout fails (when timeouts exist). */
export function fateOf(behaviour: Behaviour, timeout: { on: boolean; ms: number }): Fate {
  switch (behaviour.do) {
    case 'ok':
      return 'success';
    case 'throw':
      return 'failure';
    case 'return':
      return RETURN_FATES[behaviour.value];
    case 'hang':
      return timeout.on && behaviour.ms > timeout.ms ? 'failure' : 'success';
  }
}

/** A short label for messages. */
export function describeBehaviour(behaviour: Behaviour): string {
  switch (behaviour.do) {
    case 'ok':
      return 'ok';
    case 'throw':
      return `throw ${behaviour.value}`;
    case 'return':
      return `return ${behaviour.value}`;
    case 'hang':
      return `hang ${behaviour.ms}ms (on abort: ${behaviour.onAbort})`;
  }
}
