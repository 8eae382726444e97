import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';

/** The longest delay `setTimeout` honours; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** Checks a duration option of a built-in job: a whole number of ms that a timer can wait. */
export function checkDurationMs(name: string, value: number, { allowZero = false } = {}): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > MAX_TIMER_MS) {
    throw new InvalidArgumentError(
      name,
      `expected a whole number of milliseconds from ${allowZero ? 0 : 1} to ${MAX_TIMER_MS}, got ${value}`,
    );
  }
  return value;
}

/** Checks a size option of a built-in job: a positive whole number of bytes. */
export function checkByteCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(name, `expected a positive whole number of bytes, got ${value}`);
  }
  return value;
}

/** Checks the kind a built-in job registers as. */
export function checkKind(owner: string, kind: string): string {
  if (typeof kind !== 'string' || kind === '') {
    throw new InvalidArgumentError(`${owner} kind`, 'a kind is a non-empty string');
  }
  return kind;
}

/** Default cap on what a built-in job keeps of a command's output or a response body: 64 KiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
