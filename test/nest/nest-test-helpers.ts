import { silentLogger } from '../../lib/core/logger.js';
import type { SchedulerLogger } from '../../lib/core/logger.js';

/**
 * Polls `predicate` (on real timers) until it holds. Generous by default: it only bounds a hang, it
 * measures nothing.
 */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  {
    timeoutMs = 20_000,
    intervalMs = 5,
    message = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`waitUntil: ${message} did not hold within ${timeoutMs} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A promise with its resolver, to hold a job in flight until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Keeps test output clean; pass as `logger` in module options. */
export const quietLogger: SchedulerLogger = silentLogger;
