import { setTimeout as sleep } from 'node:timers/promises';

import type { Firestore, Transaction } from '@google-cloud/firestore';

/** Attempts of a transaction (other than a claim) before its ABORTED error is thrown. */
export const TX_ATTEMPTS = 12;

/** gRPC ABORTED: Firestore refused a transaction because another one touched the same data. */
const ABORTED = 10;

/** Whether an error is Firestore's "transaction lost a race" (ABORTED), an ordinary retry. */
export function isAborted(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === ABORTED;
}

/** Whether an error carries this gRPC status code. */
export function hasCode(err: unknown, code: number): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * A short random pause after a lost race, growing with the attempt (up to 200 ms). Real time on
 * purpose: it spaces out network round trips and has nothing to do with the scheduler's clock
 * (which may be virtual and never move on its own).
 */
export function contentionPause(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** attempt);
  return sleep(Math.random() * ceiling);
}

/**
 * Runs a read-write transaction, retrying lost races (ABORTED) itself with short pauses instead
 * of the client's (which starts at one second, too slow for claim contention).
 *
 * `update` gets the attempt number (1 first), so that a retry may choose differently.
 *
 * @returns the function's result, or `onGiveUp()` when every attempt lost a race (if given)
 * @throws the last ABORTED error when every attempt lost and there is no `onGiveUp`; any other error at once
 */
export async function runContended<T>(
  firestore: Firestore,
  attempts: number,
  update: (tx: Transaction, attempt: number) => Promise<T>,
  onGiveUp?: () => T,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await firestore.runTransaction((tx) => update(tx, attempt), { maxAttempts: 1 });
    } catch (err) {
      if (!isAborted(err)) throw err;
      if (attempt >= attempts) {
        if (onGiveUp) return onGiveUp();
        throw err;
      }
      await contentionPause(attempt);
    }
  }
}
