import { CronTrigger } from '../../lib/core/schedule/cron-trigger.js';
import { SimpleTrigger } from '../../lib/core/schedule/simple-trigger.js';
import { isTrigger, specOf, toTrigger } from '../../lib/core/schedule/schedule-spec.js';
import { sameSpec, triggerFromSpec } from '../../lib/core/schedule/trigger-types.js';
import type { Trigger } from '../../lib/core/schedule/trigger.js';
import type { TriggerInput } from '../../lib/core/scheduler.types.js';
import { InvalidArgumentError, InvalidCronExpressionError } from '../../lib/core/errors/index.js';

const custom: Trigger = { nextFireTime: (prev) => new Date(prev.getTime() + 1) };

describe('toTrigger', () => {
  it('reads a cron string in UTC', () => {
    const t = toTrigger('0 9 * * 1-5');
    expect(t).toBeInstanceOf(CronTrigger);
    expect(specOf(t)).toEqual({ type: 'cron', expression: '0 9 * * 1-5', timeZone: 'UTC' });
  });

  it('reads shortcuts and @every strings', () => {
    expect(specOf(toTrigger('@daily'))).toEqual({ type: 'cron', expression: '@daily', timeZone: 'UTC' });
    expect(specOf(toTrigger('@every 30s'))).toEqual({ type: 'interval', everyMs: 30_000 });
  });

  it('reads { cron, timeZone } and { cron }', () => {
    expect(specOf(toTrigger({ cron: '0 9 * * *', timeZone: 'Europe/Lisbon' }))).toEqual({
      type: 'cron',
      expression: '0 9 * * *',
      timeZone: 'Europe/Lisbon',
    });
    expect(specOf(toTrigger({ cron: '0 9 * * *' }))).toEqual({
      type: 'cron',
      expression: '0 9 * * *',
      timeZone: 'UTC',
    });
  });

  it('reads { every } in milliseconds or as a duration string', () => {
    const ms = toTrigger({ every: 30_000 });
    expect(ms).toBeInstanceOf(SimpleTrigger);
    expect(specOf(ms)).toEqual({ type: 'interval', everyMs: 30_000 });
    expect(specOf(toTrigger({ every: '1h30m' }))).toEqual({ type: 'interval', everyMs: 5_400_000 });
  });

  it('treats keys set to undefined as absent (options objects built from decorators)', () => {
    const input = { cron: undefined, timeZone: undefined, every: '5s' } as unknown as TriggerInput;
    expect(specOf(toTrigger(input))).toEqual({ type: 'interval', everyMs: 5_000 });
  });

  it('returns a Trigger object as is', () => {
    const cron = new CronTrigger('@hourly');
    expect(toTrigger(cron)).toBe(cron);
    const simple = new SimpleTrigger(10);
    expect(toTrigger(simple)).toBe(simple);
    expect(toTrigger(custom)).toBe(custom);
  });

  it.each([
    ['* * * *', InvalidCronExpressionError],
    [{ cron: '61 * * * *' }, InvalidCronExpressionError],
    [{ cron: '@daily', timeZone: 'Nowhere/Land' }, InvalidArgumentError],
    [{ cron: '@daily', timeZone: 5 }, InvalidArgumentError],
    [{ cron: 5 }, InvalidArgumentError],
    [{ every: 0 }, InvalidArgumentError],
    [{ every: -5 }, InvalidArgumentError],
    [{ every: '0s' }, InvalidArgumentError],
    [{ every: 'soon' }, InvalidArgumentError],
    [{ every: true }, InvalidArgumentError],
    [{ every: 1_000, timeZone: 'Europe/Lisbon' }, InvalidArgumentError],
    [{ cron: '@daily', every: 1_000 }, InvalidArgumentError],
    [{}, InvalidArgumentError],
    [{ nextFireTime: 'not a function' }, InvalidArgumentError],
    [null, InvalidArgumentError],
    [undefined, InvalidArgumentError],
    [42, InvalidArgumentError],
  ])('refuses %p', (input, errorClass) => {
    expect(() => toTrigger(input as unknown as TriggerInput)).toThrow(errorClass);
  });
});

describe('triggerFromSpec', () => {
  it('rebuilds a cron trigger with its zone', () => {
    const t = triggerFromSpec({ type: 'cron', expression: '0 9 * * *', timeZone: 'America/New_York' });
    expect(t).toBeInstanceOf(CronTrigger);
    expect(t.nextFireTime(new Date('2030-01-01T00:00:00Z'))?.toISOString()).toBe('2030-01-01T14:00:00.000Z');
  });

  it('rebuilds an interval trigger', () => {
    const t = triggerFromSpec({ type: 'interval', everyMs: 1_500 });
    expect(t).toBeInstanceOf(SimpleTrigger);
    expect(specOf(t)).toEqual({ type: 'interval', everyMs: 1_500 });
  });

  it('round-trips every storable trigger through its spec', () => {
    for (const t of [
      new CronTrigger('*/5 * * * * *', { timeZone: 'Asia/Tokyo' }),
      new CronTrigger('@every 1h30m'),
      new SimpleTrigger(42),
    ]) {
      const spec = specOf(t);
      expect(spec).toBeDefined();
      expect(specOf(triggerFromSpec(spec!))).toEqual(spec);
    }
  });

  it('shares one instance for equal specs', () => {
    const a = triggerFromSpec({ type: 'cron', expression: '@daily', timeZone: 'UTC' });
    const b = triggerFromSpec({ type: 'cron', expression: '@daily', timeZone: 'UTC' });
    expect(a).toBe(b);
  });

  it('refuses invalid specs', () => {
    expect(() => triggerFromSpec({ type: 'cron', expression: '* * * *', timeZone: 'UTC' })).toThrow(
      InvalidCronExpressionError,
    );
    expect(() => triggerFromSpec({ type: 'interval', everyMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => triggerFromSpec({ type: 'weekly' } as never)).toThrow(InvalidArgumentError);
    expect(() => triggerFromSpec(null as never)).toThrow(InvalidArgumentError);
  });
});

describe('specOf, sameSpec, isTrigger', () => {
  it('specOf is undefined for a custom trigger without toSpec', () => {
    expect(specOf(custom)).toBeUndefined();
    expect(specOf({ ...custom, toSpec: () => undefined })).toBeUndefined();
  });

  it('sameSpec compares structurally and is null-safe', () => {
    const cron = { type: 'cron', expression: '0 9 * * *', timeZone: 'UTC' } as const;
    expect(sameSpec(cron, { ...cron })).toBe(true);
    expect(sameSpec(cron, { ...cron, timeZone: 'Europe/Lisbon' })).toBe(false);
    expect(sameSpec(cron, { ...cron, expression: '0 10 * * *' })).toBe(false);
    expect(sameSpec({ type: 'interval', everyMs: 5 }, { type: 'interval', everyMs: 5 })).toBe(true);
    expect(sameSpec({ type: 'interval', everyMs: 5 }, { type: 'interval', everyMs: 6 })).toBe(false);
    expect(sameSpec(cron, { type: 'interval', everyMs: 5 })).toBe(false);
    expect(sameSpec(undefined, undefined)).toBe(true);
    expect(sameSpec(null, undefined)).toBe(true);
    expect(sameSpec(cron, undefined)).toBe(false);
    expect(sameSpec(null, cron)).toBe(false);
    // A stored cron spec without a zone means UTC.
    expect(
      sameSpec({ type: 'cron', expression: '@daily' } as never, {
        type: 'cron',
        expression: '@daily',
        timeZone: 'UTC',
      }),
    ).toBe(true);
  });

  it('isTrigger recognises anything with nextFireTime', () => {
    expect(isTrigger(new CronTrigger('@daily'))).toBe(true);
    expect(isTrigger(new SimpleTrigger(1))).toBe(true);
    expect(isTrigger(custom)).toBe(true);
    expect(isTrigger({ cron: '@daily' })).toBe(false);
    expect(isTrigger('@daily')).toBe(false);
    expect(isTrigger(null)).toBe(false);
  });
});
