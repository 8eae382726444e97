import { InvalidArgumentError } from '../errors/index.js';

/** Milliseconds per unit accepted by {@link parseDuration}. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

// `ms` must come before `m` and `s` in the alternation, or "500ms" would read as 500 minutes then "s".
const TERM = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d)/y;

/**
 * Parses a Go-style duration into milliseconds: `"30s"`, `"1h30m"`, `"500ms"`, `"1.5h"`, `"2d"`.
 *
 * Units: `ms`, `s`, `m`, `h`, `d` (24 hours, whatever the calendar says). Terms are written without
 * spaces and may use decimals. The result must be a positive whole number of milliseconds.
 *
 * @throws InvalidArgumentError for an empty, malformed, zero or negative duration, or one below
 * millisecond precision (`"0.5ms"`).
 */
export function parseDuration(text: string): number {
  const argument = `duration ${JSON.stringify(text)}`;
  if (typeof text !== 'string')
    throw new InvalidArgumentError(argument, 'a duration is a string like "30s" or "1h30m"');
  const source = text.trim();
  if (source === '') throw new InvalidArgumentError(argument, 'the duration is empty');
  if (source.startsWith('-')) throw new InvalidArgumentError(argument, 'a duration must be positive');

  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < source.length) {
    const at = TERM.lastIndex;
    const match = TERM.exec(source);
    if (!match) {
      throw new InvalidArgumentError(
        argument,
        `unexpected "${source.slice(at)}": write terms like 1h, 30m, 10s or 500ms (units ms, s, m, h, d)`,
      );
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
  }

  // Decimal terms ("0.1s") can carry binary rounding noise; anything further from a whole millisecond is a real fraction.
  const rounded = Math.round(total);
  if (Math.abs(total - rounded) > 1e-6) {
    throw new InvalidArgumentError(argument, 'a duration must be a whole number of milliseconds');
  }
  if (rounded <= 0) throw new InvalidArgumentError(argument, 'a duration must be greater than zero');
  if (!Number.isSafeInteger(rounded)) throw new InvalidArgumentError(argument, 'the duration is too large');
  return rounded;
}

/**
 * Writes milliseconds the way {@link parseDuration} reads them, largest unit first, hours at most:
 * `5_400_000` → `"1h30m"`, `1_500` → `"1s500ms"`, `0` → `"0ms"`.
 *
 * @throws InvalidArgumentError for a negative or non-integer value.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new InvalidArgumentError('duration', `${ms} is not a non-negative whole number of milliseconds`);
  }
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
