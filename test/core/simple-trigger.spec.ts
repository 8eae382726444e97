import { SimpleTrigger } from '../../lib/core/schedule/simple-trigger.js';
import { InvalidArgumentError } from '../../lib/core/errors/index.js';

describe('SimpleTrigger', () => {
  it('fires one interval after the previous fire', () => {
    const t = new SimpleTrigger(30_000);
    expect(t.intervalMs).toBe(30_000);
    expect(t.nextFireTime(new Date('2030-01-01T00:00:00.123Z'))?.toISOString()).toBe(
      '2030-01-01T00:00:30.123Z',
    );
  });

  it('ignores time zones and DST: the interval is real elapsed time', () => {
    const t = new SimpleTrigger(3_600_000);
    // Lisbon springs forward at 01:00 UTC that day; an interval does not care.
    expect(t.nextFireTime(new Date('2025-03-30T00:30:00Z'))?.toISOString()).toBe('2025-03-30T01:30:00.000Z');
  });

  it('produces a strictly increasing sequence', () => {
    const t = new SimpleTrigger(1);
    let prev = new Date(0);
    for (let i = 0; i < 1000; i++) {
      const next = t.nextFireTime(prev) as Date;
      expect(next.getTime()).toBe(prev.getTime() + 1);
      prev = next;
    }
  });

  it('has a spec, a first delay and a name', () => {
    const t = new SimpleTrigger(5_000);
    expect(t.toSpec()).toEqual({ type: 'interval', everyMs: 5_000 });
    expect(t.firstDelay()).toBe(5_000);
    expect(t.firstDelay(new Date('2030-01-01T00:00:00Z'))).toBe(5_000);
    expect(String(t)).toBe('SimpleTrigger(5000ms)');
  });

  it('returns null past the largest Date', () => {
    expect(new SimpleTrigger(1_000).nextFireTime(new Date(8.64e15 - 500))).toBeNull();
    expect(new SimpleTrigger(1_000).nextFireTime(new Date(8.64e15 - 1_000))?.getTime()).toBe(8.64e15);
  });

  it.each([
    0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '1000' as unknown as number,
    undefined as unknown as number,
  ])('refuses the interval %p', (interval) => {
    expect(() => new SimpleTrigger(interval)).toThrow(InvalidArgumentError);
    expect(() => new SimpleTrigger(interval)).toThrow(
      /Invalid interval: .* is not a positive whole number of milliseconds/,
    );
  });

  it('refuses an invalid prev', () => {
    expect(() => new SimpleTrigger(1_000).nextFireTime(new Date('nope'))).toThrow(InvalidArgumentError);
  });
});
