import { decideOutcome, type OutcomeInput } from '../../lib/core/outcome.js';
import { nextRegularFire } from '../../lib/core/misfire.js';
import type { StoreTask } from '../../lib/core/job.js';
import type { Trigger } from '../../lib/core/schedule/trigger.js';

const T0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function task(overrides: Partial<StoreTask> = {}): StoreTask {
  return {
    slug: 's',
    kind: 'k',
    payload: { n: 1 },
    runAt: T0,
    priority: 0,
    version: 2,
    incarnation: 'i1',
    retry: 0,
    result: null,
    failed: false,
    paused: false,
    schedule: null,
    lockedBy: 'me',
    lockedUntil: at(30_000),
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** Fires every `ms`, as an interval spec (so firstFireAfter keeps the phase). */
function every(ms: number): Trigger {
  return {
    nextFireTime: (prev) => new Date(prev.getTime() + ms),
    toSpec: () => ({ type: 'interval', everyMs: ms }),
  };
}

const linear = { delayMs: (attempt: number) => attempt * 1000 };

function input(overrides: Partial<OutcomeInput>): OutcomeInput {
  return {
    task: task(),
    run: { ok: true, returned: undefined },
    trigger: null,
    backoff: linear,
    maxRetries: undefined,
    misfirePolicy: 'fire-once',
    now: at(100),
    ...overrides,
  };
}

describe('decideOutcome', () => {
  it('deletes a one-time task that succeeded', () => {
    expect(decideOutcome(input({}))).toEqual({ type: 'delete', event: 'succeeded' });
  });

  it('reschedules a recurring task at its next fire, retry reset, returned result kept', () => {
    const returned = { ...task({ retry: 3 }), result: 'done' };
    const decision = decideOutcome(
      input({ task: task({ retry: 3 }), trigger: every(60_000), run: { ok: true, returned } }),
    );
    expect(decision).toMatchObject({
      type: 'reschedule',
      runAt: at(60_000),
      retry: 0,
      result: 'done',
      failed: false,
    });
  });

  it('clears an old error on success when the job sets no result', () => {
    const decision = decideOutcome(input({ task: task({ retry: 1, result: 'boom' }), trigger: every(1000) }));
    expect(decision).toMatchObject({ type: 'reschedule', result: null, retry: 0 });
  });

  it('removes the task when the job resolves with null', () => {
    expect(decideOutcome(input({ trigger: every(1000), run: { ok: true, returned: null } }))).toEqual({
      type: 'delete',
      event: 'removed',
    });
  });

  it('honours a runAt moved later by the job, for one-time and recurring tasks', () => {
    const moved = { ...task(), runAt: at(3_600_000) };
    expect(decideOutcome(input({ run: { ok: true, returned: moved } }))).toMatchObject({
      type: 'reschedule',
      runAt: at(3_600_000),
    });
    expect(decideOutcome(input({ trigger: every(1000), run: { ok: true, returned: moved } }))).toMatchObject({
      type: 'reschedule',
      runAt: at(3_600_000),
    });
  });

  it('stores a payload changed by the job', () => {
    const returned = { ...task(), payload: { n: 2 } };
    expect(decideOutcome(input({ trigger: every(1000), run: { ok: true, returned } }))).toMatchObject({
      payload: { n: 2 },
    });
  });

  it('retries a failure after the backoff with retry + 1 and the error as result', () => {
    const decision = decideOutcome(input({ task: task({ retry: 1 }), run: { ok: false, error: 'boom' } }));
    expect(decision).toEqual({
      type: 'reschedule',
      runAt: at(100 + 2000),
      retry: 2,
      result: 'boom',
      failed: false,
      event: 'retrying',
    });
  });

  it('keeps a one-time task as failed after maxRetries', () => {
    const decision = decideOutcome(
      input({ task: task({ retry: 2 }), maxRetries: 2, run: { ok: false, error: 'x' } }),
    );
    expect(decision).toEqual({
      type: 'reschedule',
      runAt: T0,
      retry: 3,
      result: 'x',
      failed: true,
      event: 'dead',
    });
  });

  it('maxRetries 0 gives up on the first failure', () => {
    expect(decideOutcome(input({ maxRetries: 0, run: { ok: false, error: 'x' } }))).toMatchObject({
      failed: true,
    });
  });

  it('moves a recurring task to its next regular fire after maxRetries', () => {
    const decision = decideOutcome(
      input({
        task: task({ retry: 1, runAt: at(5000) }),
        trigger: every(60_000),
        maxRetries: 1,
        now: at(20_000),
        run: { ok: false, error: 'x' },
      }),
    );
    expect(decision).toEqual({
      type: 'reschedule',
      runAt: at(65_000),
      retry: 0,
      result: 'x',
      failed: false,
      event: 'dead',
    });
  });

  it('deletes a recurring task whose trigger has no more fires', () => {
    const last: Trigger = { nextFireTime: () => null };
    expect(decideOutcome(input({ trigger: last }))).toEqual({ type: 'delete', event: 'finished' });
  });
});

describe('nextRegularFire and misfire policies', () => {
  const trigger = every(1000);
  it('fire-once and skip jump to the first fire after now, keeping the phase', () => {
    expect(nextRegularFire(trigger, T0, at(10_500), 'fire-once')).toEqual(at(11_000));
    expect(nextRegularFire(trigger, T0, at(10_500), 'skip')).toEqual(at(11_000));
  });
  it('catch-up takes the very next fire even if it is past', () => {
    expect(nextRegularFire(trigger, T0, at(10_500), 'catch-up')).toEqual(at(1000));
  });
  it('is always strictly after the fire that ran', () => {
    expect(nextRegularFire(trigger, T0, at(-50), 'fire-once')).toEqual(at(1000));
    expect(nextRegularFire(trigger, T0, T0, 'fire-once')).toEqual(at(1000));
  });
});
