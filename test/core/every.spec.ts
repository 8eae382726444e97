import { CronTrigger } from '../../lib/core/schedule/cron-trigger.js';
import { formatDuration, parseDuration } from '../../lib/core/schedule/duration.js';
import { InvalidArgumentError, InvalidCronExpressionError } from '../../lib/core/errors/index.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2h', 7_200_000],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['0.1s', 100],
    ['0.3s', 300],
    ['1h0m1ms', 3_600_001],
    ['2d', 172_800_000],
    ['1d12h', 129_600_000],
    [' 45s ', 45_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['30', /unexpected "30"/],
    ['1h30', /unexpected "30"/],
    ['10x', /unexpected "10x"/],
    ['1 h', /unexpected "1 h"/],
    ['h', /unexpected "h"/],
    ['1H', /unexpected "1H"/],
    ['0s', /greater than zero/],
    ['0h0m', /greater than zero/],
    ['-5s', /must be positive/],
    ['0.5ms', /whole number of milliseconds/],
    ['99999999999999999999d', /too large/],
  ])('refuses %j', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
    expect(() => parseDuration(text)).toThrow(reason);
  });

  it('refuses a non-string', () => {
    expect(() => parseDuration(30 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [1_500, '1s500ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [172_800_000, '48h'],
  ])('writes %d as %j, which parseDuration reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    if (ms > 0) expect(parseDuration(text)).toBe(ms);
  });

  it('refuses negatives and fractions', () => {
    expect(() => formatDuration(-1)).toThrow(InvalidArgumentError);
    expect(() => formatDuration(1.5)).toThrow(InvalidArgumentError);
  });
});

describe('@every', () => {
  it('is an interval counted from the previous fire', () => {
    const t = new CronTrigger('@every 30s');
    expect(t.everyMs).toBe(30_000);
    expect(t.nextFireTime(new Date('2030-01-01T00:00:07.250Z'))?.toISOString()).toBe(
      '2030-01-01T00:00:37.250Z',
    );
  });

  it('reads compound durations: @every 1h30m', () => {
    const t = new CronTrigger('@every 1h30m');
    expect(t.everyMs).toBe(5_400_000);
    let prev = new Date('2030-01-01T00:00:00Z');
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      prev = t.nextFireTime(prev) as Date;
      seen.push(prev.toISOString());
    }
    expect(seen).toEqual([
      '2030-01-01T01:30:00.000Z',
      '2030-01-01T03:00:00.000Z',
      '2030-01-01T04:30:00.000Z',
    ]);
  });

  it('is stored as an interval spec', () => {
    expect(new CronTrigger('@every 1h30m').toSpec()).toEqual({ type: 'interval', everyMs: 5_400_000 });
    expect(new CronTrigger('@every 500ms', { timeZone: 'Europe/Lisbon' }).toSpec()).toEqual({
      type: 'interval',
      everyMs: 500,
    });
  });

  it('has the interval as first delay, and keeps the expression', () => {
    const t = new CronTrigger('  @EVERY   2m ');
    expect(t.firstDelay(new Date('2030-01-01T00:00:00Z'))).toBe(120_000);
    expect(t.expression).toBe('@EVERY   2m');
  });

  it('ignores DST: real elapsed time', () => {
    const t = new CronTrigger('@every 1h', { timeZone: 'Europe/Lisbon' });
    expect(t.nextFireTime(new Date('2025-10-26T00:30:00Z'))?.toISOString()).toBe('2025-10-26T01:30:00.000Z');
  });

  it.each(['@every', '@every 0s', '@every -1s', '@every 30', '@every 1h 30m', '@every soon'])(
    'refuses %j with InvalidCronExpressionError',
    (expression) => {
      expect(() => new CronTrigger(expression)).toThrow(InvalidCronExpressionError);
    },
  );
});
