/**
 * Decides how long to wait before retrying a failed run.
 * `attempt` is the retry number about to happen: 1 for the first retry.
 */
export interface Backoff {
  /** Milliseconds to wait before retry number `attempt` (1-based). */
  delayMs(attempt: number): number;
}

/** A backoff written as a plain function: `(attempt) => attempt * 1000`. */
export type BackoffFunction = (attempt: number) => number;
