import { ExponentialBackoff, FixedBackoff, FunctionBackoff, toBackoff } from '../../lib/core/backoff.js';
import type { Backoff } from '../../lib/core/backoff.types.js';
import { InvalidArgumentError } from '../../lib/core/errors/index.js';

const delays = (backoff: Backoff, count: number): number[] =>
  Array.from({ length: count }, (_, i) => backoff.delayMs(i + 1));

describe('ExponentialBackoff', () => {
  it('defaults to 10 s doubling up to a 10 min cap', () => {
    expect(delays(new ExponentialBackoff(), 9)).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000,
    ]);
    const b = new ExponentialBackoff();
    expect([b.initialMs, b.factor, b.maxMs, b.jitter]).toEqual([10_000, 2, 600_000, 0]);
  });

  it('stays at the cap for huge attempts (no overflow)', () => {
    expect(new ExponentialBackoff().delayMs(10_000)).toBe(600_000);
    expect(new ExponentialBackoff().delayMs(Number.POSITIVE_INFINITY)).toBe(600_000);
  });

  it('takes its options', () => {
    expect(delays(new ExponentialBackoff({ initialMs: 100, factor: 3, maxMs: 1_000 }), 4)).toEqual([
      100, 300, 900, 1_000,
    ]);
    expect(delays(new ExponentialBackoff({ initialMs: 500, factor: 1 }), 3)).toEqual([500, 500, 500]);
  });

  it('counts attempts below 1 as the first', () => {
    expect(new ExponentialBackoff().delayMs(0)).toBe(10_000);
    expect(new ExponentialBackoff().delayMs(-3)).toBe(10_000);
  });

  it('keeps jitter within ± the fraction, using the injected random source', () => {
    const at = (r: number) => new ExponentialBackoff({ jitter: 0.2, random: () => r });
    expect(at(0).delayMs(1)).toBe(8_000);
    expect(at(0.5).delayMs(1)).toBe(10_000);
    expect(at(0.999_999).delayMs(1)).toBe(12_000);
    expect(at(0).delayMs(20)).toBe(480_000);
    expect(at(0.999_999).delayMs(20)).toBe(720_000);
    const values = [0.1, 0.35, 0.62, 0.9];
    let i = 0;
    const b = new ExponentialBackoff({ jitter: 0.5, random: () => values[i++ % values.length] });
    for (let attempt = 1; attempt <= 12; attempt++) {
      const base = Math.min(600_000, 10_000 * 2 ** (attempt - 1));
      const d = b.delayMs(attempt);
      expect(d).toBeGreaterThanOrEqual(base * 0.5);
      expect(d).toBeLessThanOrEqual(base * 1.5);
      expect(Number.isInteger(d)).toBe(true);
    }
  });

  it('with jitter 1 never goes below zero', () => {
    expect(new ExponentialBackoff({ jitter: 1, random: () => 0 }).delayMs(1)).toBe(0);
  });

  it.each([
    [{ initialMs: -1 }, /initialMs/],
    [{ initialMs: Number.NaN }, /initialMs/],
    [{ factor: 0.5 }, /factor/],
    [{ maxMs: 5_000 }, /maxMs/],
    [{ jitter: -0.1 }, /jitter/],
    [{ jitter: 1.5 }, /jitter/],
    [{ random: 'no' as unknown as () => number }, /random/],
  ])('refuses %p', (options, reason) => {
    expect(() => new ExponentialBackoff(options)).toThrow(InvalidArgumentError);
    expect(() => new ExponentialBackoff(options)).toThrow(reason);
  });

  it('refuses a NaN attempt', () => {
    expect(() => new ExponentialBackoff().delayMs(Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe('FixedBackoff', () => {
  it('uses delays[n-1], then repeats the last', () => {
    expect(delays(new FixedBackoff([1_000, 5_000, 60_000]), 5)).toEqual([
      1_000, 5_000, 60_000, 60_000, 60_000,
    ]);
    expect(delays(new FixedBackoff([0]), 3)).toEqual([0, 0, 0]);
  });

  it('copies the list it was given', () => {
    const list = [1, 2];
    const b = new FixedBackoff(list);
    list[0] = 99;
    expect(b.delayMs(1)).toBe(1);
  });

  it.each([[[]], [[1, -1]], [[Number.NaN]], [[Number.POSITIVE_INFINITY]], ['1,2' as unknown as number[]]])(
    'refuses %p',
    (list) => {
      expect(() => new FixedBackoff(list)).toThrow(InvalidArgumentError);
    },
  );
});

describe('toBackoff', () => {
  it('gives the default exponential backoff for undefined', () => {
    const b = toBackoff(undefined);
    expect(b).toBeInstanceOf(ExponentialBackoff);
    expect(delays(b, 3)).toEqual([10_000, 20_000, 40_000]);
  });

  it('wraps a custom function', () => {
    const b = toBackoff((attempt) => attempt * 1_000);
    expect(b).toBeInstanceOf(FunctionBackoff);
    expect(delays(b, 3)).toEqual([1_000, 2_000, 3_000]);
  });

  it('returns a Backoff object as is', () => {
    const fixed = new FixedBackoff([5]);
    expect(toBackoff(fixed)).toBe(fixed);
    const custom: Backoff = { delayMs: () => 42 };
    expect(toBackoff(custom)).toBe(custom);
  });

  it('refuses anything else', () => {
    expect(() => toBackoff(42 as unknown as Backoff)).toThrow(InvalidArgumentError);
    expect(() => toBackoff(null as unknown as Backoff)).toThrow(InvalidArgumentError);
    expect(() => toBackoff({} as Backoff)).toThrow(InvalidArgumentError);
  });

  it('refuses what a custom function returns when it is not a delay', () => {
    expect(() => toBackoff(() => -1).delayMs(1)).toThrow(/backoff result/);
    expect(() => toBackoff(() => Number.NaN).delayMs(1)).toThrow(InvalidArgumentError);
    expect(() => toBackoff((() => '5') as unknown as () => number).delayMs(1)).toThrow(InvalidArgumentError);
  });
});
