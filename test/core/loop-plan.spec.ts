/**
 * The run loop's planning alone: explicit times (a virtual clock's readings), no loop, no store.
 */
import { FRESH_LOOP, planAfterClaim, planAfterNextDue, storeRetryDelay } from '../../lib/core/loop-plan.js';

const NOW = Date.UTC(2030, 0, 1);
const POLL = 10_000;
const base = { now: NOW, pollMs: POLL, pushesWakeUps: true };

describe('planAfterClaim', () => {
  it('claims again at once after a full batch', () => {
    const { step } = planAfterClaim(FRESH_LOOP, { claimed: 50, full: true }, { ...base, heartbeat: false });
    expect(step).toEqual({ mode: 'claim-again' });
  });

  it('reads the next due time after a partial batch, or when it knows nothing', () => {
    expect(
      planAfterClaim(FRESH_LOOP, { claimed: 3, full: false }, { ...base, heartbeat: true }).step,
    ).toEqual({
      mode: 'read-next-due',
    });
    expect(
      planAfterClaim(FRESH_LOOP, { claimed: 0, full: false }, { ...base, heartbeat: true }).step,
    ).toEqual({
      mode: 'read-next-due',
    });
  });

  it('trusts what it read on an undisturbed heartbeat that found nothing, when the store pushes wake-ups', () => {
    const knows = { ...FRESH_LOOP, knownNext: NOW + 4_000 };
    expect(planAfterClaim(knows, { claimed: 0, full: false }, { ...base, heartbeat: true }).step).toEqual({
      mode: 'sleep',
      ms: 4_000,
      why: 'until-due',
    });
    const nothing = { ...FRESH_LOOP, knownNext: null };
    expect(planAfterClaim(nothing, { claimed: 0, full: false }, { ...base, heartbeat: true }).step).toEqual({
      mode: 'sleep',
      ms: POLL,
      why: 'heartbeat',
    });
  });

  it('does not trust it when woken, when it claimed something, when the store does not push, or when it is already due', () => {
    const knows = { ...FRESH_LOOP, knownNext: NOW + 4_000 };
    const read = { mode: 'read-next-due' };
    expect(planAfterClaim(knows, { claimed: 0, full: false }, { ...base, heartbeat: false }).step).toEqual(
      read,
    );
    expect(planAfterClaim(knows, { claimed: 1, full: false }, { ...base, heartbeat: true }).step).toEqual(
      read,
    );
    expect(
      planAfterClaim(knows, { claimed: 0, full: false }, { ...base, pushesWakeUps: false, heartbeat: true })
        .step,
    ).toEqual(read);
    const due = { ...FRESH_LOOP, knownNext: NOW - 1 };
    expect(planAfterClaim(due, { claimed: 0, full: false }, { ...base, heartbeat: true }).step).toEqual(read);
  });

  it('backs off after a failed claim, longer each time, and forgets the failures after a success', () => {
    let memory = FRESH_LOOP;
    const sleeps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const planned = planAfterClaim(memory, { error: true }, { ...base, heartbeat: false });
      memory = planned.memory;
      if (planned.step.mode === 'sleep') sleeps.push(planned.step.ms);
    }
    expect(sleeps).toEqual([0, 1, 2, 3].map(storeRetryDelay));
    expect(
      planAfterClaim(memory, { claimed: 0, full: false }, { ...base, heartbeat: false }).memory.storeErrors,
    ).toBe(0);
  });
});

describe('planAfterNextDue', () => {
  it('sleeps until the next task is due, at most the poll interval', () => {
    expect(planAfterNextDue(FRESH_LOOP, { next: NOW + 250 }, 0, base).step).toEqual({
      mode: 'sleep',
      ms: 250,
      why: 'until-due',
    });
    expect(planAfterNextDue(FRESH_LOOP, { next: NOW + 3_600_000 }, 0, base).step).toEqual({
      mode: 'sleep',
      ms: POLL,
      why: 'heartbeat',
    });
    expect(planAfterNextDue(FRESH_LOOP, { next: null }, 0, base)).toMatchObject({
      step: { mode: 'sleep', ms: POLL, why: 'heartbeat' },
      memory: { knownNext: null },
    });
  });

  it('claims again when something fell due, and backs off, doubling, when claims keep finding nothing due', () => {
    const due = { next: NOW - 5 };
    // It claimed something: there may be more.
    expect(planAfterNextDue(FRESH_LOOP, due, 7, base).step).toEqual({ mode: 'claim-again' });
    // Nothing claimed although due: once at once, then 4, 8, 16 ms … capped by the poll interval.
    let memory = FRESH_LOOP;
    const steps: string[] = [];
    for (let i = 0; i < 4; i++) {
      const planned = planAfterNextDue(memory, due, 0, base);
      memory = planned.memory;
      steps.push(planned.step.mode === 'sleep' ? `sleep ${planned.step.ms}` : planned.step.mode);
    }
    expect(steps).toEqual(['claim-again', 'sleep 4', 'sleep 8', 'sleep 16']);
    // Something not yet due ends the backoff.
    expect(planAfterNextDue(memory, { next: NOW + 100 }, 0, base).memory.emptyDue).toBe(0);
  });

  it('forgets what it knew and backs off after a failed read', () => {
    const knows = { ...FRESH_LOOP, knownNext: NOW + 100 };
    expect(planAfterNextDue(knows, { error: true }, 0, base)).toEqual({
      step: { mode: 'sleep', ms: storeRetryDelay(0), why: 'store-error' },
      memory: { knownNext: undefined, emptyDue: 0, storeErrors: 1 },
    });
  });
});
